import type { Kafka } from 'kafkajs';

export interface TopicSpec {
  name: string;
  partitions: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Creates the given topics (idempotently) and waits until every partition has a leader.
 * KRaft brokers can briefly answer UNKNOWN_TOPIC_OR_PARTITION for a topic just created,
 * so producers and consumers start only after this returns.
 */
export async function ensureTopics(kafka: Kafka, topics: readonly TopicSpec[], timeoutMs = 60000): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic: topic.name, numPartitions: topic.partitions, replicationFactor: 1 })),
      });
    }
    const deadline = Date.now() + timeoutMs;
    const names = topics.map((topic) => topic.name);
    for (;;) {
      try {
        const metadata = await admin.fetchTopicMetadata({ topics: names });
        const leaderless = metadata.topics.filter(
          (topic) => topic.partitions.length === 0 || topic.partitions.some((partition) => partition.leader < 0),
        );
        if (leaderless.length === 0) return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline) throw new Error(`topics without a leader after ${timeoutMs} ms: ${names.join(', ')}`);
      await sleep(200);
    }
  } finally {
    await admin.disconnect();
  }
}

import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { MessagingMetrics } from '../metrics/messaging-metrics';
import type { EventPublisher, OutgoingRecord } from '../ports';

/**
 * The idempotent Kafka producer behind the `EventPublisher` port: acks from all in-sync
 * replicas, broker-side de-duplication of retried batches, one in-flight request so a
 * retry can never reorder one subject's events. Retries are bounded (kafkajs warns about
 * that): a publish that finally fails is retried by the caller — the outbox relay keeps its
 * rows — and the consumers' inbox drops any duplicate this creates.
 */
export class KafkaEventPublisher implements EventPublisher {
  private readonly producer: Producer;
  private connected: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    private readonly metrics?: Pick<MessagingMetrics, 'published'>,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Murmur2 on the key, as Java clients do, so a subject maps to the same partition everywhere.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  connect(): Promise<void> {
    this.connected ??= this.producer.connect();
    return this.connected;
  }

  async publish(records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.connect();
    const byTopic = new Map<string, { key: string; value: Buffer; headers: Record<string, string> }[]>();
    for (const record of records) {
      const messages = byTopic.get(record.topic) ?? [];
      messages.push({ key: record.key, value: record.value, headers: record.headers });
      byTopic.set(record.topic, messages);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    if (this.metrics) for (const [topic, messages] of byTopic) this.metrics.published.inc({ topic }, messages.length);
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = undefined;
    await this.producer.disconnect();
  }
}

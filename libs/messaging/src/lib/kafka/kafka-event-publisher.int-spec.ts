import { createTopicWithDlq, testKafka, uniqueName, waitFor } from '../../test-support/messaging-fixture';
import { KafkaEventPublisher } from './kafka-event-publisher';

describe('KafkaEventPublisher against a real broker', () => {
  it("publishes more than a partition's 1 MiB record batch in one call, in order", async () => {
    const kafka = testKafka('vigie-publisher-spec');
    const publisher = new KafkaEventPublisher(kafka);
    const topic = uniqueName('it.large');
    await createTopicWithDlq(topic, 1);
    // 30 events of 60 kB for one partition: what an outbox batch of long ads comes to.
    const value = Buffer.alloc(60_000, 'x');
    try {
      await publisher.publish(Array.from({ length: 30 }, (_, i) => ({ topic, key: `platform:ad-${i}`, value, headers: {} })));
    } finally {
      await publisher.disconnect();
    }
    const keys: string[] = [];
    const reader = kafka.consumer({ groupId: uniqueName('reader') });
    await reader.connect();
    await reader.subscribe({ topic, fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void keys.push(message.key?.toString() ?? '') });
    try {
      await waitFor(async () => keys.length >= 30, 30000, '30 records');
    } finally {
      await reader.disconnect();
    }
    expect(keys).toEqual(Array.from({ length: 30 }, (_, i) => `platform:ad-${i}`));
  });
});

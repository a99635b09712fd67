import type { Consumer } from 'kafkajs';
import { createTopicWithDlq, requireEnv, testKafka, uniqueName, waitFor } from '../../test-support/messaging-fixture';
import { parseBrokerList } from './kafka-config';
import { ThreadedKafkaPublisher } from './threaded-kafka-publisher';

describe('ThreadedKafkaPublisher against a real broker', () => {
  const brokers = parseBrokerList(requireEnv('KAFKA_BROKERS'));
  const kafka = testKafka('vigie-threaded-publisher-spec');
  const counted = new Map<string, number>();
  const publisher = new ThreadedKafkaPublisher(
    { brokers, clientId: 'vigie-threaded-publisher-spec' },
    { published: { inc: ({ topic }, count) => counted.set(topic, (counted.get(topic) ?? 0) + count) } },
  );
  let consumer: Consumer | undefined;

  afterAll(async () => {
    await consumer?.disconnect();
    await publisher.disconnect();
  });

  it('publishes keys, values and headers unchanged, in order per key, and counts them per topic', async () => {
    const topic = uniqueName('it.threaded');
    await createTopicWithDlq(topic);
    await publisher.connect();
    // Values that are views into one larger buffer, as the outbox hands them over.
    const backing = Buffer.from(Array.from({ length: 300 }, (_, i) => `value-${i};`).join(''));
    const records = Array.from({ length: 300 }, (_, i) => {
      const start = backing.indexOf(`value-${i};`);
      return { topic, key: `subject-${i % 7}`, value: backing.subarray(start, start + `value-${i}`.length), headers: { 'vigie-event-id': `id-${i}` } };
    });
    await Promise.all([publisher.publish(records.slice(0, 100)), publisher.publish(records.slice(100, 250)), publisher.publish(records.slice(250))]);
    expect(counted.get(topic)).toBe(300);

    const received: { key: string; value: string; header: string }[] = [];
    consumer = kafka.consumer({ groupId: uniqueName('group') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push({ key: String(message.key), value: String(message.value), header: String(message.headers?.['vigie-event-id']) });
      },
    });
    await waitFor(async () => received.length === 300, 30000, '300 records consumed');
    for (const record of received) expect(record.header).toBe(`id-${record.value.slice('value-'.length)}`);
    for (let key = 0; key < 7; key++) {
      const values = received.filter((record) => record.key === `subject-${key}`).map((record) => Number(record.value.slice('value-'.length)));
      expect(values).toEqual([...values].sort((a, b) => a - b));
    }
  });

  it("rejects with kafkajs's error when the broker refuses a record, and keeps publishing afterwards", async () => {
    const missing = uniqueName('it.threaded-missing');
    const failure = await publisher
      .publish([{ topic: missing, key: 'k', value: Buffer.from('v'), headers: {} }])
      .then(() => undefined, (error: Error & { name: string }) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure?.name).toMatch(/^KafkaJS/);

    const topic = uniqueName('it.threaded-after');
    await createTopicWithDlq(topic);
    await publisher.publish([{ topic, key: 'k', value: Buffer.from('v'), headers: {} }]);
    expect(counted.get(topic)).toBe(1);
  });

  it('starts a new thread for the next publish once disconnected', async () => {
    await publisher.disconnect();
    const topic = uniqueName('it.threaded-again');
    await createTopicWithDlq(topic);
    await publisher.publish([{ topic, key: 'k', value: Buffer.from('again'), headers: {} }]);
    expect(counted.get(topic)).toBe(1);
  });
});

import { decodeEvent, encodeEvent, type AnyEvent } from '@vigie/contracts';
import type { KafkaMessage } from 'kafkajs';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import {
  countRows,
  createServiceSchema,
  createTopicWithDlq,
  dropSchema,
  recordApplied,
  sampleEvents,
  testKafka,
  uniqueName,
  waitFor,
} from '../../test-support/messaging-fixture';
import { MessageHeaders } from '../headers';
import type { EventPublisher } from '../ports';
import { KafkaEventPublisher } from '../kafka/kafka-event-publisher';
import { MessagingMetrics } from '../metrics/messaging-metrics';
import { Outbox } from '../outbox/outbox';
import { OutboxRelay } from '../outbox/outbox-relay';
import { BatchEventConsumer, type EventBatchHandler } from './batch-event-consumer';
import { PoisonMessageError } from './poison-message.error';

describe('BatchEventConsumer against a real broker and database', () => {
  const kafka = testKafka('vigie-consumer-spec');
  const publisher = new KafkaEventPublisher(kafka);
  const producerSchema = uniqueName('producer');
  const consumerSchema = uniqueName('consumer');
  let producerDb: DataSource;
  let consumerDb: DataSource;

  beforeAll(async () => {
    [producerDb, consumerDb] = await Promise.all([createServiceSchema(producerSchema), createServiceSchema(consumerSchema)]);
  });

  afterAll(async () => {
    await publisher.disconnect();
    await Promise.all([dropSchema(producerDb, producerSchema), dropSchema(consumerDb, consumerSchema)]);
  });

  function consumerFor(topic: string, groupId: string, handler: EventBatchHandler, metrics?: MessagingMetrics, deadLetterPublisher: EventPublisher = publisher) {
    return new BatchEventConsumer({
      kafka,
      dataSource: consumerDb,
      schema: consumerSchema,
      groupId,
      handlers: new Map([[topic, handler]]),
      outbox: new Outbox(consumerSchema),
      deadLetterPublisher,
      metrics,
      retryBackoffMs: 20,
    });
  }

  const appliedCount = () => countRows(consumerDb, `SELECT count(*) FROM "${consumerSchema}".applied`);
  const maxTimesApplied = () => countRows(consumerDb, `SELECT coalesce(max(times), 0) AS count FROM "${consumerSchema}".applied`);

  it('carries outbox events across a service boundary, commits, and never re-applies after a restart', async () => {
    const topic = uniqueName('it.boundary');
    const groupId = uniqueName('group');
    await createTopicWithDlq(topic);
    const outbox = new Outbox(producerSchema, () => topic);
    const relay = new OutboxRelay(producerDb, outbox, publisher);
    const firstWave = sampleEvents(50);
    await producerDb.transaction((manager) => outbox.enqueue(manager, firstWave));
    expect(await relay.drainOnce()).toBe(50);

    const handler: EventBatchHandler = async (batch) =>
      recordApplied(batch.manager, consumerSchema, batch.events.map((e) => e.event));
    const first = consumerFor(topic, groupId, handler);
    await first.start();
    await waitFor(async () => (await appliedCount()) === 50, 60000, '50 events applied');
    await first.stop();

    const admin = kafka.admin();
    await admin.connect();
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committedTotal = committed[0].partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    expect(committedTotal).toBe(50);

    // Simulate the worst redelivery: rewind the group to the start of the topic.
    await admin.setOffsets({
      groupId,
      topic,
      partitions: committed[0].partitions.map((p) => ({ partition: p.partition, offset: '0' })),
    });
    await admin.disconnect();

    const metrics = new MessagingMetrics(new Registry());
    const second = consumerFor(topic, groupId, handler, metrics);
    await second.start();
    const secondWave = sampleEvents(5);
    await producerDb.transaction((manager) => outbox.enqueue(manager, secondWave));
    await relay.drainOnce();
    await waitFor(async () => (await appliedCount()) === 55, 60000, '55 events applied');
    const duplicates = async () => (await metrics.duplicates.get()).values.reduce((sum, v) => sum + v.value, 0);
    try {
      await waitFor(async () => (await duplicates()) === 50, 30000, 'the 50 redelivered events to be dropped');
    } finally {
      await second.stop();
    }

    // Each message was read once by the restarted consumer: no re-fetch loop.
    const consumed = (await metrics.consumed.get()).values.reduce((sum, v) => sum + v.value, 0);
    expect(consumed).toBe(55);
    expect(await maxTimesApplied()).toBe(1);
    expect(await countRows(consumerDb, `SELECT count(*) FROM "${consumerSchema}".inbox WHERE consumer_group = '${groupId}'`)).toBe(55);
  });

  it('sends poison messages to the DLQ with the reason and keeps the partition flowing', async () => {
    const topic = uniqueName('it.poison');
    const groupId = uniqueName('group');
    await createTopicWithDlq(topic, 1);
    const [before, rejected, crashing, after1, after2] = sampleEvents(5);
    const handler: EventBatchHandler = async (batch) => {
      for (const { event } of batch.events) {
        if (event.id === rejected.id) throw new PoisonMessageError('ad belongs to an unknown platform');
        if (event.id === crashing.id) throw new TypeError('cannot read properties of undefined');
      }
      await recordApplied(batch.manager, consumerSchema, batch.events.map((e) => e.event));
    };
    const wrongEvent = { ...before, id: 'not-a-uuid', data: { ...(before.data as object), unexpected: true } };
    const send = (value: Buffer | string) => ({ key: 'platform:ad', value });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [
        send(encodeEvent(before)),
        send('{"this is": not json'),
        send(JSON.stringify(wrongEvent)),
        send(encodeEvent(rejected)),
        send(encodeEvent(crashing)),
        send(encodeEvent(after1)),
        send(encodeEvent(after2)),
      ],
    });
    await producer.disconnect();

    const startApplied = await appliedCount();
    const consumer = consumerFor(topic, groupId, handler);
    await consumer.start();
    await waitFor(async () => (await appliedCount()) === startApplied + 3, 60000, 'valid events applied');

    const deadLetters = await readAll(`${topic}.dlq`, 4);
    await consumer.stop();
    const header = (message: KafkaMessage, name: string) => message.headers?.[name]?.toString();
    const reasons = deadLetters.map((m) => header(m, MessageHeaders.dlqError) ?? '');
    expect(reasons[0]).toMatch(/contract violation: .*JSON/i);
    expect(reasons[1]).toMatch(/contract violation: .*\/id/);
    expect(reasons[2]).toMatch(/PoisonMessageError: ad belongs to an unknown platform/);
    expect(reasons[3]).toMatch(/TypeError: cannot read properties of undefined/);
    expect(deadLetters.map((m) => header(m, MessageHeaders.dlqOriginalOffset))).toEqual(['1', '2', '3', '4']);
    for (const message of deadLetters) {
      expect(header(message, MessageHeaders.dlqOriginalTopic)).toBe(topic);
      expect(header(message, MessageHeaders.dlqOriginalPartition)).toBe('0');
      expect(message.key?.toString()).toBe('platform:ad');
    }
    const replayed = decodeEvent(deadLetters[2].value);
    expect(replayed.ok && (replayed.event as AnyEvent).id).toBe(rejected.id);

    const admin = kafka.admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    await admin.disconnect();
    expect(offsets.partitions[0].offset).toBe('7');
  });

  it('keeps the dead letter of a rejected event when its publish fails: the event is not lost to the inbox', async () => {
    const topic = uniqueName('it.rejected');
    const groupId = uniqueName('group');
    await createTopicWithDlq(topic, 1);
    const [kept, rejected] = sampleEvents(2);
    const handler: EventBatchHandler = async (batch) => {
      for (const consumed of batch.events) if (consumed.event.id === rejected.id) batch.deadLetter(consumed, 'unknown platform');
      await recordApplied(batch.manager, consumerSchema, batch.events.filter((e) => e.event.id !== rejected.id).map((e) => e.event));
    };
    // The first dead-letter publish fails, as a broker blip would.
    let failures = 1;
    const flakyPublisher: EventPublisher = {
      publish: async (records) => {
        if (records.length > 0 && failures-- > 0) throw new Error('broker unavailable');
        await publisher.publish(records);
      },
    };
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [kept, rejected].map((event) => ({ key: 'platform:ad', value: encodeEvent(event) })) });
    await producer.disconnect();
    const consumer = consumerFor(topic, groupId, handler, undefined, flakyPublisher);
    await consumer.start();
    try {
      const deadLetters = await readAll(`${topic}.dlq`, 1);
      const replayed = decodeEvent(deadLetters[0].value);
      expect(replayed.ok && (replayed.event as AnyEvent).id).toBe(rejected.id);
      expect(failures).toBe(-1);
      await waitFor(async () => (await countRows(consumerDb, `SELECT count(*) FROM "${consumerSchema}".applied WHERE event_id = '${kept.id}'`)) === 1, 30000, 'the kept event applied');
    } finally {
      await consumer.stop();
    }
  });

  async function readAll(topic: string, expected: number): Promise<KafkaMessage[]> {
    const reader = kafka.consumer({ groupId: uniqueName('reader') });
    const messages: KafkaMessage[] = [];
    await reader.connect();
    await reader.subscribe({ topic, fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void messages.push(message) });
    await waitFor(async () => messages.length >= expected, 60000, `${expected} messages on ${topic}`);
    await reader.disconnect();
    return messages.sort((a, b) => Number(a.headers?.[MessageHeaders.dlqOriginalOffset]) - Number(b.headers?.[MessageHeaders.dlqOriginalOffset]));
  }
});

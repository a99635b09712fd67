import { encodeEvent } from '@vigie/contracts';
import type { Kafka } from 'kafkajs';
import { EventEmitter } from 'node:events';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { MessagingMetrics } from '../metrics/messaging-metrics';
import { sampleEvents } from '../../test-support/messaging-fixture';
import type { Outbox } from '../outbox/outbox';
import { BatchEventConsumer, type BatchEventConsumerOptions, type EventBatch, type EventBatchHandler } from './batch-event-consumer';

/** A kafkajs consumer reduced to what the restart and commit logic touch; its events are emitted by hand. */
function fakeKafka() {
  const emitter = new EventEmitter();
  const consumer = {
    events: { CRASH: 'consumer.crash', REBALANCING: 'consumer.rebalancing', GROUP_JOIN: 'consumer.group_join' },
    on: (event: string, listener: (event: unknown) => void) => {
      emitter.on(event, listener);
      return () => emitter.off(event, listener);
    },
    connect: jest.fn(async () => undefined),
    subscribe: jest.fn(async () => undefined),
    run: jest.fn(async () => undefined),
    disconnect: jest.fn(async () => undefined),
    commitOffsets: jest.fn(async (_offsets: { topic: string; partition: number; offset: string }[]) => undefined),
  };
  const crash = (restart: boolean) =>
    emitter.emit('consumer.crash', { id: 1, type: 'consumer.crash', timestamp: Date.now(), payload: { error: new Error('Failed to find group coordinator'), groupId: 'g', restart } });
  const configs: Record<string, unknown>[] = [];
  const kafka = {
    consumer: (config: Record<string, unknown>) => {
      configs.push(config);
      return consumer;
    },
  } as unknown as Kafka;
  const emit = (event: 'REBALANCING' | 'GROUP_JOIN', payload: Record<string, unknown>) =>
    emitter.emit(consumer.events[event], { id: 1, type: consumer.events[event], timestamp: Date.now(), payload });
  return { kafka, consumer, crash, emit, configs };
}

/** A started BatchEventConsumer on the fake. */
async function started(
  options: Pick<BatchEventConsumerOptions, 'maxBytesPerPartition' | 'maxBytesPerFetch' | 'offsetCommitIntervalMs' | 'log'> = {},
) {
  const fake = fakeKafka();
  const batches = new BatchEventConsumer({
    ...options,
    kafka: fake.kafka,
    dataSource: {} as DataSource,
    schema: 'test',
    groupId: 'g',
    handlers: new Map([['topic.v1', async () => undefined]]),
    outbox: {} as Outbox,
    deadLetterPublisher: { publish: async () => undefined } as never,
  });
  await batches.start();
  return { ...fake, batches };
}

describe('BatchEventConsumer fetch sizes', () => {
  it("fetches 2 MB per partition and kafkajs's own total by default", async () => {
    const { configs } = await started();
    expect(configs[0]).toMatchObject({ groupId: 'g', maxBytesPerPartition: 2 * 1024 * 1024 });
    expect(configs[0]).not.toHaveProperty('maxBytes');
  });

  it('fetches what the service asks for', async () => {
    const { configs } = await started({ maxBytesPerPartition: 8 * 1024 * 1024, maxBytesPerFetch: 32 * 1024 * 1024 });
    expect(configs[0]).toMatchObject({ maxBytesPerPartition: 8 * 1024 * 1024, maxBytes: 32 * 1024 * 1024 });
  });
});

describe('BatchEventConsumer after a crash', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('leaves a crash kafkajs restarts itself to kafkajs', async () => {
    const { consumer, crash } = await started();
    crash(true);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(consumer.run).toHaveBeenCalledTimes(1);
  });

  it('starts again a consumer kafkajs gave up on, later and later while the crashes go on', async () => {
    const { consumer, crash } = await started();
    crash(false);
    await jest.advanceTimersByTimeAsync(999);
    expect(consumer.run).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(consumer.connect).toHaveBeenCalledTimes(2);
    expect(consumer.run).toHaveBeenCalledTimes(2);
    // Its first batch never came: the next crash waits twice as long.
    crash(false);
    await jest.advanceTimersByTimeAsync(1999);
    expect(consumer.run).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(consumer.run).toHaveBeenCalledTimes(3);
  });

  it('tries again when connecting fails, and not at all once stopped', async () => {
    const { consumer, crash, batches } = await started();
    consumer.connect.mockRejectedValueOnce(new Error('connect ECONNREFUSED'));
    crash(false);
    await jest.advanceTimersByTimeAsync(1000);
    expect(consumer.run).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(2000);
    expect(consumer.run).toHaveBeenCalledTimes(2);

    await batches.stop();
    crash(false);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(consumer.run).toHaveBeenCalledTimes(2);
  });
});

/**
 * Hands one batch to the consumer as kafkajs would. Its messages are not events, so they go
 * to the DLQ (the fake publisher) without touching the database, and then the offset is due.
 */
function deliver(consumer: ReturnType<typeof fakeKafka>['consumer'], partition: number, lastOffset: number) {
  const { eachBatch } = consumer.run.mock.calls[0][0 as never] as unknown as { eachBatch: (payload: unknown) => Promise<void> };
  const resolved: string[] = [];
  const done = eachBatch({
    batch: {
      topic: 'topic.v1',
      partition,
      highWatermark: String(lastOffset + 1),
      messages: [{ offset: String(lastOffset), key: null, value: Buffer.from('not an event'), timestamp: '0', headers: {} }],
    },
    heartbeat: async () => undefined,
    isRunning: () => true,
    isStale: () => false,
    resolveOffset: (offset: string) => resolved.push(offset),
  });
  return { done, resolved };
}

describe('BatchEventConsumer offset commits', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('commits at most once per interval, then every partition that moved, at its latest offset', async () => {
    const { consumer } = await started({ offsetCommitIntervalMs: 1000 });
    await deliver(consumer, 0, 9).done;
    expect(consumer.commitOffsets).toHaveBeenCalledTimes(1);
    expect(consumer.commitOffsets).toHaveBeenLastCalledWith([{ topic: 'topic.v1', partition: 0, offset: '10' }]);

    const second = deliver(consumer, 0, 19);
    await second.done;
    await deliver(consumer, 1, 4).done;
    // Applied and resolved (kafkajs fetches on from there), but not committed yet.
    expect(second.resolved).toEqual(['19']);
    expect(consumer.commitOffsets).toHaveBeenCalledTimes(1);

    await jest.advanceTimersByTimeAsync(1000);
    expect(consumer.commitOffsets).toHaveBeenCalledTimes(2);
    expect(consumer.commitOffsets).toHaveBeenLastCalledWith([
      { topic: 'topic.v1', partition: 0, offset: '20' },
      { topic: 'topic.v1', partition: 1, offset: '5' },
    ]);
    await jest.advanceTimersByTimeAsync(5000);
    expect(consumer.commitOffsets).toHaveBeenCalledTimes(2);
  });

  it('commits after every batch with an interval of 0', async () => {
    const { consumer } = await started({ offsetCommitIntervalMs: 0 });
    await deliver(consumer, 0, 9).done;
    await deliver(consumer, 0, 19).done;
    expect(consumer.commitOffsets.mock.calls.map(([offsets]) => offsets[0].offset)).toEqual(['10', '20']);
  });

  it('commits what is pending when it stops, before leaving the group', async () => {
    const { consumer, batches } = await started();
    await deliver(consumer, 0, 9).done;
    await deliver(consumer, 2, 29).done;
    await batches.stop();
    expect(consumer.commitOffsets).toHaveBeenLastCalledWith([{ topic: 'topic.v1', partition: 2, offset: '30' }]);
    expect(consumer.commitOffsets.mock.invocationCallOrder.at(-1)).toBeLessThan(consumer.disconnect.mock.invocationCallOrder[0]);
  });

  it('takes no new batch once stopping', async () => {
    const { consumer, batches } = await started();
    await batches.stop();
    const late = deliver(consumer, 0, 9);
    await late.done;
    expect(late.resolved).toEqual([]);
    expect(consumer.commitOffsets).not.toHaveBeenCalled();
  });

  it('commits what is pending when the group rebalances, and forgets partitions given to another member', async () => {
    const { consumer, emit } = await started();
    await deliver(consumer, 0, 9).done;
    await deliver(consumer, 0, 19).done;
    emit('REBALANCING', { groupId: 'g', memberId: 'm' });
    await jest.advanceTimersByTimeAsync(0);
    expect(consumer.commitOffsets).toHaveBeenLastCalledWith([{ topic: 'topic.v1', partition: 0, offset: '20' }]);

    await deliver(consumer, 0, 29).done;
    await deliver(consumer, 1, 39).done;
    emit('GROUP_JOIN', { memberAssignment: { 'topic.v1': [1] } });
    await jest.advanceTimersByTimeAsync(1000);
    expect(consumer.commitOffsets).toHaveBeenLastCalledWith([{ topic: 'topic.v1', partition: 1, offset: '40' }]);
  });

  it('keeps offsets whose commit failed for the next commit, unless a later batch moved them on', async () => {
    const log = jest.fn();
    const { consumer } = await started({ log });
    await deliver(consumer, 0, 9).done;
    await deliver(consumer, 0, 19).done;
    await deliver(consumer, 1, 4).done;
    consumer.commitOffsets.mockRejectedValueOnce(new Error('The coordinator is not available'));
    await jest.advanceTimersByTimeAsync(1000);
    expect(log).toHaveBeenCalledWith('warn', expect.stringContaining('committing consumer offsets failed'), expect.anything());

    await deliver(consumer, 0, 29).done;
    await jest.advanceTimersByTimeAsync(1000);
    expect(consumer.commitOffsets).toHaveBeenLastCalledWith([
      { topic: 'topic.v1', partition: 0, offset: '30' },
      { topic: 'topic.v1', partition: 1, offset: '5' },
    ]);
  });
});

describe('BatchEventConsumer deduplication', () => {
  /** One batch of `events` (the first one twice) through a consumer whose transactions run on a fake manager. */
  async function deliverEvents(deduplication: 'inbox' | 'handler', skippedByHandler: number) {
    const fake = fakeKafka();
    const sql: string[] = [];
    const manager = {
      query: jest.fn(async (text: string, parameters: unknown[]) => {
        sql.push(text);
        // The inbox claims every id it is given: none was applied before.
        return text.includes('inbox') ? (parameters[1] as string[]).map((event_id) => ({ event_id })) : [];
      }),
    };
    const metrics = new MessagingMetrics(new Registry());
    const handed: string[][] = [];
    const batches = new BatchEventConsumer({
      kafka: fake.kafka,
      dataSource: { transaction: async (work: (m: unknown) => Promise<void>) => work(manager) } as unknown as DataSource,
      schema: 'test',
      groupId: 'g',
      deduplication,
      handlers: new Map([
        [
          'topic.v1',
          async (batch: EventBatch) => {
            handed.push(batch.events.map((e) => e.event.id));
            batch.reportDuplicates(skippedByHandler);
          },
        ],
      ]),
      outbox: {} as Outbox,
      metrics,
      deadLetterPublisher: { publish: async () => undefined } as never,
      offsetCommitIntervalMs: 0,
    });
    await batches.start();
    const events = sampleEvents(2);
    const values = [...events, events[0]].map((event) => encodeEvent(event));
    const { eachBatch } = fake.consumer.run.mock.calls[0][0 as never] as unknown as { eachBatch: (payload: unknown) => Promise<void> };
    await eachBatch({
      batch: {
        topic: 'topic.v1',
        partition: 0,
        highWatermark: String(values.length),
        messages: values.map((value, offset) => ({ offset: String(offset), key: null, value, timestamp: '0', headers: {} })),
      },
      heartbeat: async () => undefined,
      isRunning: () => true,
      isStale: () => false,
      resolveOffset: () => undefined,
    });
    await batches.stop();
    const total = async (counter: 'applied' | 'duplicates') => (await metrics[counter].get()).values.reduce((sum, v) => sum + v.value, 0);
    return { sql, handed, ids: events.map((e) => e.id), applied: await total('applied'), duplicates: await total('duplicates') };
  }

  it('by the inbox: records the batch in the inbox and hands over each new event once', async () => {
    const { sql, handed, ids, applied, duplicates } = await deliverEvents('inbox', 0);
    expect(sql.filter((text) => text.includes('INSERT INTO "test".inbox'))).toHaveLength(1);
    expect(handed).toEqual([ids]);
    expect([applied, duplicates]).toEqual([2, 1]);
  });

  it('by the handler: writes no inbox row, hands over each event once and counts what the handler skipped', async () => {
    const { sql, handed, ids, applied, duplicates } = await deliverEvents('handler', 1);
    expect(sql).toEqual([]);
    expect(handed).toEqual([ids]);
    // One repeated within the batch, one the handler found already applied.
    expect([applied, duplicates]).toEqual([1, 2]);
  });
});

describe('BatchEventConsumer failures', () => {
  /**
   * One batch of one event through a consumer whose transactions throw `failure` (or, without
   * one, run), with `handler`, and a dead-letter publisher that throws `publishFailure` for any
   * record (or keeps them).
   */
  async function deliverOne(options: { failure?: Error; handler?: EventBatchHandler; publishFailure?: Error }) {
    const fake = fakeKafka();
    const deadLetters: unknown[] = [];
    const batches = new BatchEventConsumer({
      kafka: fake.kafka,
      dataSource: {
        transaction: async (work: (m: unknown) => Promise<unknown>) => {
          if (options.failure) throw options.failure;
          return work({ query: async () => [] });
        },
        query: async () => [{ answer: 1 }],
      } as unknown as DataSource,
      schema: 'test',
      groupId: 'g',
      deduplication: 'handler',
      handlers: new Map([['topic.v1', options.handler ?? (async () => undefined)]]),
      outbox: {} as Outbox,
      deadLetterPublisher: {
        publish: async (records: readonly unknown[]) => {
          if (records.length > 0 && options.publishFailure) throw options.publishFailure;
          deadLetters.push(...records);
        },
      },
      offsetCommitIntervalMs: 0,
      retryBackoffMs: 1,
    });
    await batches.start();
    const { eachBatch } = fake.consumer.run.mock.calls[0][0 as never] as unknown as { eachBatch: (payload: unknown) => Promise<void> };
    const outcome = await eachBatch({
      batch: { topic: 'topic.v1', partition: 0, highWatermark: '1', messages: [{ offset: '0', key: null, value: encodeEvent(sampleEvents(1)[0]), timestamp: '0', headers: {} }] },
      heartbeat: async () => undefined,
      isRunning: () => true,
      isStale: () => false,
      resolveOffset: () => undefined,
    }).then(
      () => 'committed',
      (error: Error) => error.message,
    );
    await batches.stop();
    return { outcome, deadLetters, commits: fake.consumer.commitOffsets.mock.calls.length };
  }

  it('keeps a batch whose event deadlocks on every attempt for later, instead of dead-lettering a valid event', async () => {
    const { outcome, deadLetters, commits } = await deliverOne({ failure: Object.assign(new Error('deadlock detected'), { code: '40P01' }) });
    expect(outcome).toBe('deadlock detected');
    expect(deadLetters).toEqual([]);
    expect(commits).toBe(0);
  });

  it("keeps a batch whose rejected event's dead letter cannot be published, rather than dead-lettering the broker's error", async () => {
    const { outcome, deadLetters, commits } = await deliverOne({
      handler: async (batch) => batch.deadLetter(batch.events[0], 'unknown platform'),
      publishFailure: new Error('broker unavailable'),
    });
    expect(outcome).toBe('publishing dead letters failed: Error: broker unavailable');
    expect(deadLetters).toEqual([]);
    expect(commits).toBe(0);
  });

  it('dead-letters an event whose handler fails on every attempt while the database answers', async () => {
    const { outcome, deadLetters, commits } = await deliverOne({ failure: new TypeError('cannot read properties of undefined') });
    expect(outcome).toBe('committed');
    expect(deadLetters).toHaveLength(1);
    expect(commits).toBe(1);
  });
});

import type { Kafka } from 'kafkajs';
import { EventEmitter } from 'node:events';
import type { DataSource } from 'typeorm';
import type { Outbox } from '../outbox/outbox';
import { BatchEventConsumer } from './batch-event-consumer';

/** A kafkajs consumer reduced to what the restart logic touches; crashes are emitted by hand. */
function fakeKafka() {
  const emitter = new EventEmitter();
  const consumer = {
    events: { CRASH: 'consumer.crash' },
    on: (event: string, listener: (event: unknown) => void) => {
      emitter.on(event, listener);
      return () => emitter.off(event, listener);
    },
    connect: jest.fn(async () => undefined),
    subscribe: jest.fn(async () => undefined),
    run: jest.fn(async () => undefined),
    disconnect: jest.fn(async () => undefined),
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
  return { kafka, consumer, crash, configs };
}

/** A started BatchEventConsumer on the fake. */
async function started(sizes: { maxBytesPerPartition?: number; maxBytesPerFetch?: number } = {}) {
  const fake = fakeKafka();
  const batches = new BatchEventConsumer({
    ...sizes,
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

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
  return { kafka: { consumer: () => consumer } as unknown as Kafka, consumer, crash };
}

/** A started BatchEventConsumer on the fake. */
async function started() {
  const fake = fakeKafka();
  const batches = new BatchEventConsumer({
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

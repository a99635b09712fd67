import type { Kafka } from 'kafkajs';
import type { OutgoingRecord } from '../ports';
import { KafkaEventPublisher } from './kafka-event-publisher';

interface SentBatch {
  topicMessages: { topic: string; messages: { key: string }[] }[];
}

/** A producer whose sends complete when the test says so, recording what each one carried. */
function fakeProducer() {
  const sends: { keys: string[]; finish: (error?: Error) => void }[] = [];
  const counts = { created: 0, connected: 0, disconnected: 0 };
  /** Connection attempts that fail before one succeeds. */
  const broker = { refusals: 0 };
  const producer = {
    connect: async () => {
      counts.connected += 1;
      if (broker.refusals > 0) {
        broker.refusals -= 1;
        throw new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
      }
    },
    disconnect: async () => {
      counts.disconnected += 1;
    },
    sendBatch: (batch: SentBatch) =>
      new Promise<void>((resolve, reject) => {
        const keys = batch.topicMessages.flatMap((topic) => topic.messages.map((message) => message.key));
        sends.push({ keys, finish: (error) => (error ? reject(error) : resolve()) });
      }),
  };
  const create = () => {
    counts.created += 1;
    return producer;
  };
  return { kafka: { producer: create } as unknown as Kafka, sends, counts, broker };
}

const record = (key: string, bytes = 10): OutgoingRecord => ({ topic: 'ads.ingested.v1', key, value: Buffer.alloc(bytes), headers: {} });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KafkaEventPublisher', () => {
  it('merges the publishes that arrive during a send into the next one, in arrival order', async () => {
    const { kafka, sends } = fakeProducer();
    const publisher = new KafkaEventPublisher(kafka);
    const first = publisher.publish([record('a')]);
    await tick();
    const second = publisher.publish([record('b'), record('c')]);
    const third = publisher.publish([record('d')]);
    await tick();
    expect(sends.map((send) => send.keys)).toEqual([['a']]);
    sends[0].finish();
    await first;
    await tick();
    expect(sends.map((send) => send.keys)).toEqual([['a'], ['b', 'c', 'd']]);
    sends[1].finish();
    await expect(Promise.all([second, third])).resolves.toEqual([undefined, undefined]);
  });

  it('sends each publish of a failed merged send on its own, so only the bad one fails', async () => {
    const { kafka, sends } = fakeProducer();
    const publisher = new KafkaEventPublisher(kafka);
    const first = publisher.publish([record('a')]);
    await tick();
    const good = publisher.publish([record('good')]);
    const bad = publisher.publish([record('bad')]);
    await tick();
    sends[0].finish();
    await first;
    await tick();
    sends[1].finish(new Error('MESSAGE_TOO_LARGE'));
    await tick();
    await tick();
    expect(sends[2].keys).toEqual(['good']);
    sends[2].finish();
    await expect(good).resolves.toBeUndefined();
    await tick();
    expect(sends[3].keys).toEqual(['bad']);
    sends[3].finish(new Error('MESSAGE_TOO_LARGE'));
    await expect(bad).rejects.toThrow('MESSAGE_TOO_LARGE');
  });

  it('never merges beyond 512 KiB, and sends a publish above 900 KiB in parts, each acknowledged before the next', async () => {
    const { kafka, sends } = fakeProducer();
    const publisher = new KafkaEventPublisher(kafka);
    const first = publisher.publish([record('a')]);
    await tick();
    // 1.2 MB in one publish: sent whole, the broker refuses it (MESSAGE_TOO_LARGE, for good).
    const big = publisher.publish([record('big-1', 400 * 1024), record('big-2', 400 * 1024), record('big-3', 400 * 1024)]);
    const next = publisher.publish([record('next', 200 * 1024)]);
    await tick();
    sends[0].finish();
    await first;
    await tick();
    expect(sends.map((send) => send.keys)).toEqual([['a'], ['big-1', 'big-2']]);
    sends[1].finish();
    await tick();
    expect(sends[2].keys).toEqual(['big-3']);
    sends[2].finish();
    await big;
    await tick();
    expect(sends[3].keys).toEqual(['next']);
    sends[3].finish();
    await next;
  });

  it('fails a publish whose later part fails, after the parts before it were sent', async () => {
    const { kafka, sends } = fakeProducer();
    const publisher = new KafkaEventPublisher(kafka);
    const big = publisher.publish([record('part-1', 600 * 1024), record('part-2', 600 * 1024)]);
    await tick();
    await tick();
    sends[0].finish();
    await tick();
    expect(sends[1].keys).toEqual(['part-2']);
    sends[1].finish(new Error('NOT_LEADER_FOR_PARTITION'));
    await expect(big).rejects.toThrow('NOT_LEADER_FOR_PARTITION');
  });

  it('replaces a producer whose sequence numbers the broker no longer accepts, and only then', async () => {
    const { kafka, sends, counts } = fakeProducer();
    const publisher = new KafkaEventPublisher(kafka);
    const tooLarge = publisher.publish([record('a')]);
    await tick();
    sends[0].finish(new Error('MESSAGE_TOO_LARGE'));
    await expect(tooLarge).rejects.toThrow('MESSAGE_TOO_LARGE');
    expect(counts).toEqual({ created: 1, connected: 1, disconnected: 0 });

    const outOfOrder = publisher.publish([record('b')]);
    await tick();
    sends[1].finish(Object.assign(new Error('The broker received an out of order sequence number'), { type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' }));
    await expect(outOfOrder).rejects.toThrow('out of order');
    expect(counts).toEqual({ created: 2, connected: 1, disconnected: 1 });

    // The caller (the outbox relay) sends it again: through the new producer, connected first.
    const again = publisher.publish([record('b')]);
    await tick();
    expect(counts.connected).toBe(2);
    sends[2].finish();
    await expect(again).resolves.toBeUndefined();
  });

  it('tries to connect again on the next publish after a failed connection', async () => {
    const { kafka, sends, counts, broker } = fakeProducer();
    const publisher = new KafkaEventPublisher(kafka);
    broker.refusals = 2;
    await expect(publisher.publish([record('a')])).rejects.toThrow('ECONNREFUSED');
    await expect(publisher.publish([record('a')])).rejects.toThrow('ECONNREFUSED');
    const third = publisher.publish([record('a')]);
    await tick();
    expect(counts.connected).toBe(3);
    sends[0].finish();
    await expect(third).resolves.toBeUndefined();
  });
});

import type { DataSource } from 'typeorm';
import type { EventPublisher, OutgoingRecord } from '../ports';
import type { Outbox, PendingRecord } from './outbox';
import { OutboxRelay } from './outbox-relay';

const pendingRecords = (from: number, count: number): PendingRecord[] =>
  Array.from({ length: count }, (_, i) => ({
    eventId: `event-${from + i}`,
    record: { topic: 't', key: 'k', value: Buffer.from(String(from + i)), headers: {} },
  }));

/** A broker that takes `delayMs` to answer each publish, refusing while `down`. */
function slowBroker(delayMs: number) {
  const broker = { down: true, attempts: [] as string[][] };
  const publisher: EventPublisher = {
    publish: async (records: readonly OutgoingRecord[]) => {
      broker.attempts.push(records.map((record) => record.value.toString()));
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (broker.down) throw new Error('broker unreachable');
    },
  } as EventPublisher;
  const dataSource = { transaction: async (work: (manager: { query: () => Promise<void> }) => Promise<void>) => work({ query: async () => undefined }) };
  const relay = new OutboxRelay(dataSource as unknown as DataSource, { tableName: 'outbox' } as Outbox, publisher, {
    batchSize: 2,
    onError: () => undefined,
  });
  return { relay, broker };
}

describe('OutboxRelay.publishSoon', () => {
  it('drops what the relay has taken over by the time its turn comes, instead of queueing through an outage', async () => {
    const { relay, broker } = slowBroker(60);
    relay.publishSoon(pendingRecords(0, 2), 30);
    relay.publishSoon(pendingRecords(2, 2), 30);
    relay.publishSoon(pendingRecords(4, 2), 30);
    expect(relay.waitingSoon).toBe(4);
    await relay.settled();
    // The first publication took 60 ms: the two later hand-overs were the relay's by then.
    expect(broker.attempts).toEqual([['0', '1']]);
    expect(relay.waitingSoon).toBe(0);
  });

  it('publishes in hand-over order what is still its own', async () => {
    const { relay, broker } = slowBroker(5);
    broker.down = false;
    relay.publishSoon(pendingRecords(0, 3), 60_000);
    relay.publishSoon(pendingRecords(3, 1), 60_000);
    await relay.settled();
    expect(broker.attempts).toEqual([['0', '1'], ['2', '3']]);
  });

  it('stops after the publication in flight, leaving the rest to the rows', async () => {
    const { relay, broker } = slowBroker(40);
    for (let i = 0; i < 100; i++) relay.publishSoon(pendingRecords(i * 2, 2));
    const started = Date.now();
    await relay.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(broker.attempts).toHaveLength(1);
    expect(relay.waitingSoon).toBe(0);
    relay.publishSoon(pendingRecords(500, 1));
    expect(relay.waitingSoon).toBe(0);
  });
});

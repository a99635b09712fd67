import { createUuidV7Generator, type AnyEvent } from '@vigie/contracts';
import type { DataSource } from 'typeorm';
import { createServiceSchema, dropSchema, sampleEvents, testKafka, uniqueName } from '../../test-support/messaging-fixture';
import type { ConsumedEvent } from '../consumer/consumed-event';
import { BatchEventConsumer } from '../consumer/batch-event-consumer';
import { Outbox } from '../outbox/outbox';
import { Inbox } from './inbox';

const DAY_MS = 86_400_000;

describe('Inbox retention against the real database', () => {
  const schema = uniqueName('inbox');
  let db: DataSource;

  beforeAll(async () => {
    db = await createServiceSchema(schema);
  });

  afterAll(async () => {
    await dropSchema(db, schema);
  });

  /** `count` events whose UUIDv7 ids were made `ageMs` before `now`. */
  const eventsAged = (now: number, ageMs: number, count: number): ConsumedEvent[] => {
    const id = createUuidV7Generator({ now: () => now - ageMs });
    return sampleEvents(count).map((event, offset) => ({
      event: { ...event, id: id() } as AnyEvent,
      coordinates: { topic: 't.v1', partition: 0, offset: String(offset), timestamp: '0', headers: {} },
    }));
  };

  const idsIn = async (group: string): Promise<string[]> =>
    ((await db.query(`SELECT event_id FROM "${schema}".inbox WHERE consumer_group = $1 ORDER BY event_id`, [group])) as { event_id: string }[]).map((row) => row.event_id);

  it("deletes the group's ids of events older than the cut, in batches, and nothing else", async () => {
    const now = Date.now();
    const old = eventsAged(now, 20 * DAY_MS, 25);
    const recent = eventsAged(now, 1 * DAY_MS, 5);
    const inbox = new Inbox(schema, 'g1');
    const otherGroup = new Inbox(schema, 'g2');
    await db.transaction(async (manager) => {
      await inbox.claim(manager, [...old, ...recent]);
      await otherGroup.claim(manager, old);
    });

    // A batch of 10: three statements for 25 rows.
    expect(await inbox.prune(db, new Date(now - 14 * DAY_MS), 10)).toBe(25);
    expect(await idsIn('g1')).toEqual(recent.map((e) => e.event.id).sort());
    expect(await idsIn('g2')).toHaveLength(25);
    expect(await inbox.prune(db, new Date(now - 14 * DAY_MS), 10)).toBe(0);
  });

  it('stops after the statement in progress when told to (a shutdown)', async () => {
    const now = Date.now();
    const inbox = new Inbox(schema, 'g3');
    await db.transaction((manager) => inbox.claim(manager, eventsAged(now, 20 * DAY_MS, 25)));
    expect(await inbox.prune(db, new Date(now - 14 * DAY_MS), 10, () => false)).toBe(10);
    expect(await idsIn('g3')).toHaveLength(15);
  });

  it('is what the consumer runs with its retention; without one it keeps everything', async () => {
    const now = Date.now();
    const group = uniqueName('group');
    const inbox = new Inbox(schema, group);
    await db.transaction((manager) => inbox.claim(manager, [...eventsAged(now, 15 * DAY_MS, 3), ...eventsAged(now, 13 * DAY_MS, 2)]));
    const consumer = (inboxRetentionMs?: number) =>
      new BatchEventConsumer({
        kafka: testKafka('vigie-inbox-spec'),
        dataSource: db,
        schema,
        groupId: group,
        handlers: new Map(),
        outbox: new Outbox(schema),
        deadLetterPublisher: { publish: async () => undefined },
        inboxRetentionMs,
      });
    expect(await consumer(undefined).pruneInbox(new Date(now))).toBe(0);
    expect(await consumer(14 * DAY_MS).pruneInbox(new Date(now))).toBe(3);
    expect(await idsIn(group)).toHaveLength(2);
  });
});

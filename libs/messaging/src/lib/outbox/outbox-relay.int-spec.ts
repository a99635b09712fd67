import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import {
  countRows,
  createServiceSchema,
  createTopicWithDlq,
  dropSchema,
  recordApplied,
  requireEnv,
  sampleEvents,
  testKafka,
  uniqueName,
  waitFor,
} from '../../test-support/messaging-fixture';
import { BatchEventConsumer } from '../consumer/batch-event-consumer';
import { KafkaEventPublisher } from '../kafka/kafka-event-publisher';
import { Outbox } from './outbox';
import { OutboxRelay } from './outbox-relay';

const workspaceRoot = join(__dirname, '..', '..', '..', '..', '..');

/** Runs the relay in its own process, which SIGKILLs itself right after the broker's ack. */
function runRelayThatDiesAfterPublish(schema: string, topic: string): Promise<NodeJS.Signals | null> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'libs/messaging/src/test-support/relay-crash-child.ts'],
    {
      cwd: workspaceRoot,
      env: { ...process.env, RELAY_SCHEMA: schema, RELAY_TOPIC: topic, TS_NODE_PROJECT: join(workspaceRoot, 'tsconfig.json') },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  return new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
}

describe('OutboxRelay against a real broker and database', () => {
  const kafka = testKafka('vigie-relay-spec');
  const publisher = new KafkaEventPublisher(kafka);
  const schema = uniqueName('relay');
  let db: DataSource;

  beforeAll(async () => {
    requireEnv('KAFKA_BROKERS');
    db = await createServiceSchema(schema);
  });

  afterAll(async () => {
    await publisher.disconnect();
    await dropSchema(db, schema);
  });

  it('publishes every event exactly once in effect when the relay dies between publish and commit', async () => {
    const topic = uniqueName('it.relay');
    await createTopicWithDlq(topic);
    const outbox = new Outbox(schema, () => topic);
    const events = sampleEvents(120);
    await db.transaction((manager) => outbox.enqueue(manager, events));

    // The broker acknowledged the batch, then the process died before deleting the rows.
    expect(await runRelayThatDiesAfterPublish(schema, topic)).toBe('SIGKILL');
    expect(await countRows(db, `SELECT count(*) FROM "${schema}".outbox`)).toBe(120);

    // A fresh relay re-publishes the rows (a duplicate on the wire) and empties the outbox.
    const relay = new OutboxRelay(db, outbox, publisher, { batchSize: 50 });
    relay.start();
    await waitFor(async () => (await countRows(db, `SELECT count(*) FROM "${schema}".outbox`)) === 0, 30000, 'outbox drained');
    await relay.stop();

    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    const onTheWire = offsets.reduce((sum, p) => sum + Number(p.high), 0);
    expect(onTheWire).toBeGreaterThanOrEqual(events.length + 50);

    // The consumer's inbox turns that into exactly one application per event.
    const consumer = new BatchEventConsumer({
      kafka,
      dataSource: db,
      schema,
      groupId: uniqueName('group'),
      handlers: new Map([[topic, (batch) => recordApplied(batch.manager, schema, batch.events.map((e) => e.event))]]),
      outbox,
      deadLetterPublisher: publisher,
    });
    await consumer.start();
    await waitFor(async () => (await countRows(db, `SELECT count(*) FROM "${schema}".applied`)) === 120, 60000, '120 applied');
    await consumer.stop();
    expect(await countRows(db, `SELECT coalesce(max(times), 0) AS count FROM "${schema}".applied`)).toBe(1);
    const ids = await db.query(`SELECT event_id FROM "${schema}".applied`);
    expect(new Set(ids.map((row: { event_id: string }) => row.event_id))).toEqual(new Set(events.map((e) => e.id)));
  });

  it('keeps rows when the broker cannot be reached and publishes them once it can', async () => {
    const topic = uniqueName('it.relay-down');
    const outbox = new Outbox(schema, () => topic);
    await db.transaction((manager) => outbox.enqueue(manager, sampleEvents(3)));
    const failingPublisher = {
      publish: async () => {
        throw new Error('broker unreachable');
      },
    };
    const failing = new OutboxRelay(db, outbox, failingPublisher);
    await expect(failing.drainOnce()).rejects.toThrow('broker unreachable');
    expect(await countRows(db, `SELECT count(*) FROM "${schema}".outbox`)).toBe(3);
    await createTopicWithDlq(topic);
    expect(await new OutboxRelay(db, outbox, publisher).drainOnce()).toBe(3);
    expect(await countRows(db, `SELECT count(*) FROM "${schema}".outbox`)).toBe(0);
  });

  it('is woken by the commit of an enqueuing transaction, not by its poll timer', async () => {
    const topic = uniqueName('it.relay-notify');
    await createTopicWithDlq(topic);
    const outbox = new Outbox(schema, () => topic);
    const relay = new OutboxRelay(db, outbox, publisher, { idlePollMs: 120000 });
    relay.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 500)); // let it listen and go idle
      await db.transaction((manager) => outbox.enqueue(manager, sampleEvents(4)));
      await waitFor(async () => (await countRows(db, `SELECT count(*) FROM "${schema}".outbox`)) === 0, 10000, 'NOTIFY-driven publish');
    } finally {
      await relay.stop();
    }
  });

  it('leaves rows to a writer that publishes them itself, and takes over if that writer dies', async () => {
    const topic = uniqueName('it.relay-inline');
    await createTopicWithDlq(topic);
    const outbox = new Outbox(schema, () => topic);
    const outboxCount = () => countRows(db, `SELECT count(*) FROM "${schema}".outbox`);
    const relay = new OutboxRelay(db, outbox, publisher, { idlePollMs: 100 });
    relay.start();
    try {
      // A writer that publishes right after its commit: the relay never touches its rows.
      const published = await db.transaction((manager) => outbox.enqueue(manager, sampleEvents(3), { publishItselfWithinMs: 30000 }));
      await relay.publishNow(published);
      expect(await outboxCount()).toBe(0);

      // A writer that died after its commit: the rows wait out the grace period, then the relay publishes them.
      await db.transaction((manager) => outbox.enqueue(manager, sampleEvents(2), { publishItselfWithinMs: 1500 }));
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(await outboxCount()).toBe(2);
      await waitFor(async () => (await outboxCount()) === 0, 10000, 'the relay to take over');
    } finally {
      await relay.stop();
    }
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(5);
  });

  it('publishes what writers hand to publishSoon in hand-over order, and leaves a failed publication to the relay', async () => {
    const topic = uniqueName('it.relay-soon');
    await createTopicWithDlq(topic, 1);
    const outbox = new Outbox(schema, () => topic);
    const outboxCount = () => countRows(db, `SELECT count(*) FROM "${schema}".outbox`);
    const relay = new OutboxRelay(db, outbox, publisher, { idlePollMs: 100, batchSize: 7 });
    relay.start();
    const events = sampleEvents(40);
    try {
      // Four writers commit one after the other and hand their records over without waiting.
      for (let i = 0; i < 4; i++) {
        const pending = await db.transaction((manager) => outbox.enqueue(manager, events.slice(i * 10, i * 10 + 10), { publishItselfWithinMs: 30000 }));
        relay.publishSoon(pending);
      }
      await relay.settled();
      expect(await outboxCount()).toBe(0);
    } finally {
      await relay.stop();
    }
    const consumer = kafka.consumer({ groupId: uniqueName('group') });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.headers?.['vigie-event-id'])) });
    try {
      await waitFor(async () => seen.length === 40, 30000, '40 records consumed');
    } finally {
      await consumer.disconnect();
    }
    expect(seen).toEqual(events.map((event) => event.id));

    // The broker refuses: the error is reported, the rows stay, and the relay publishes them after the grace period.
    const errors: unknown[] = [];
    const refusing = new OutboxRelay(db, outbox, { publish: async () => Promise.reject(new Error('broker unreachable')) }, { onError: (error) => errors.push(error) });
    const pending = await db.transaction((manager) => outbox.enqueue(manager, sampleEvents(3), { publishItselfWithinMs: 500 }));
    refusing.publishSoon(pending);
    await refusing.settled();
    expect(errors).toHaveLength(1);
    expect(await outboxCount()).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await new OutboxRelay(db, outbox, publisher).drainOnce()).toBe(3);
  });
});

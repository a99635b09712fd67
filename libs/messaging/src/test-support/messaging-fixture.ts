import { createEvent, EVENT_DEFINITIONS, subjectFor, type AnyEvent } from '@vigie/contracts';
import { randomBytes } from 'node:crypto';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createKafkaClient } from '../lib/kafka/kafka-config';
import { ensureTopics } from '../lib/kafka/topic-admin';
import { createMessagingTables, quoteSchema } from '../lib/schema/messaging-tables';

/** Shared set-up for messaging integration specs: real broker, real database, unique names. */
export function requireEnv(name: 'KAFKA_BROKERS' | 'DATABASE_URL'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set for integration specs (npm test sets it)`);
  return value;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

export function testKafka(clientId: string) {
  return createKafkaClient({ brokers: requireEnv('KAFKA_BROKERS').split(','), clientId });
}

export async function createTopicWithDlq(topic: string, partitions = 3): Promise<void> {
  await ensureTopics(testKafka('vigie-test-admin'), [
    { name: topic, partitions },
    { name: `${topic}.dlq`, partitions: 1 },
  ]);
}

/**
 * A service-like schema for tests: inbox + outbox, plus `applied`, a projection that counts
 * how many times each event was applied (it must never exceed 1).
 */
export async function createServiceSchema(schema: string): Promise<DataSource> {
  class TestTables1 implements MigrationInterface {
    name = 'TestTables1000000000001';
    async up(queryRunner: QueryRunner): Promise<void> {
      await createMessagingTables(queryRunner, schema);
      await queryRunner.query(
        `CREATE TABLE ${quoteSchema(schema)}.applied (event_id uuid PRIMARY KEY, subject text NOT NULL, times integer NOT NULL)`,
      );
    }
    async down(): Promise<void> {
      // test schemas are dropped whole
    }
  }
  const dataSource = new DataSource({
    type: 'postgres',
    url: requireEnv('DATABASE_URL'),
    schema,
    migrations: [TestTables1],
    migrationsTableName: 'migrations',
    extra: { max: 5 },
  });
  await dataSource.initialize();
  await dataSource.query(`CREATE SCHEMA IF NOT EXISTS ${quoteSchema(schema)}`);
  await dataSource.runMigrations();
  return dataSource;
}

export async function dropSchema(dataSource: DataSource, schema: string): Promise<void> {
  await dataSource.query(`DROP SCHEMA IF EXISTS ${quoteSchema(schema)} CASCADE`);
  await dataSource.destroy();
}

/** Records each applied event in `applied`, counting repeats (which the inbox must prevent). */
export async function recordApplied(
  dataSource: DataSource | { query: DataSource['query'] },
  schema: string,
  events: readonly AnyEvent[],
): Promise<void> {
  await dataSource.query(
    `INSERT INTO ${quoteSchema(schema)}.applied (event_id, subject, times)
     SELECT id, subject, 1 FROM unnest($1::uuid[], $2::text[]) AS e(id, subject)
     ON CONFLICT (event_id) DO UPDATE SET times = applied.times + 1`,
    [events.map((e) => e.id), events.map((e) => e.subject)],
  );
}

/** `count` distinct, valid `ad.submitted` events spread over a few subjects. */
export function sampleEvents(count: number): AnyEvent[] {
  const definition = EVENT_DEFINITIONS.find((d) => d.type === 'ad.submitted');
  if (!definition) throw new Error('contracts have no ad.submitted event');
  const example = definition.example as AnyEvent;
  return Array.from({ length: count }, (_, index) =>
    createEvent('ad.submitted', {
      tenant: example.tenant,
      subject: subjectFor(example.tenant, `ad-${index % 7}`),
      source: 'messaging-test',
      data: example.data as never,
    }),
  );
}

export async function countRows(dataSource: DataSource, sql: string): Promise<number> {
  const [row] = await dataSource.query(sql);
  return Number(row.count);
}

export async function waitFor(predicate: () => Promise<boolean>, timeoutMs = 30000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

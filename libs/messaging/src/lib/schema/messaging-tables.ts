import type { QueryRunner } from 'typeorm';

const schemaNamePattern = /^[a-z][a-z0-9_]{0,62}$/;

/** Quotes a service schema name after checking it, since it is spliced into DDL. */
export function quoteSchema(schema: string): string {
  if (!schemaNamePattern.test(schema)) throw new Error(`invalid schema name "${schema}"`);
  return `"${schema}"`;
}

/**
 * DDL for the inbox and outbox of one service schema. Each service calls this from its own
 * hand-written migration so the tables live in the schema the service owns.
 *
 * - inbox: one row per (consumer group, event id) applied; the primary key is the dedupe.
 * - outbox: events written in the same transaction as the state change that caused them;
 *   `seq` orders the relay, `event_id` is unique so a state change cannot enqueue twice,
 *   `available_at` hides rows from the relay while the writer publishes them itself.
 */
export async function createMessagingTables(queryRunner: QueryRunner, schema: string): Promise<void> {
  const s = quoteSchema(schema);
  await queryRunner.query(`
    CREATE TABLE ${s}.inbox (
      consumer_group text NOT NULL,
      event_id uuid NOT NULL,
      topic text NOT NULL,
      kafka_partition integer NOT NULL,
      kafka_offset bigint NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (consumer_group, event_id)
    )`);
  await queryRunner.query(`CREATE INDEX inbox_applied_at_idx ON ${s}.inbox (applied_at)`);
  await queryRunner.query(`
    CREATE TABLE ${s}.outbox (
      seq bigserial PRIMARY KEY,
      event_id uuid NOT NULL UNIQUE,
      topic text NOT NULL,
      message_key text NOT NULL,
      payload bytea NOT NULL,
      headers jsonb NOT NULL,
      enqueued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      available_at timestamptz NOT NULL DEFAULT clock_timestamp()
    )`);
}

export async function dropMessagingTables(queryRunner: QueryRunner, schema: string): Promise<void> {
  const s = quoteSchema(schema);
  await queryRunner.query(`DROP TABLE ${s}.outbox`);
  await queryRunner.query(`DROP TABLE ${s}.inbox`);
}

/**
 * The inbox's `applied_at` index, created by the first messaging migration and read by no
 * query: every inbox row paid a second index write for it. Retention prunes by event id
 * instead (see `Inbox.prune`). Each service drops it in a migration of its own.
 */
export async function dropInboxAppliedAtIndex(queryRunner: QueryRunner, schema: string): Promise<void> {
  await queryRunner.query(`DROP INDEX IF EXISTS ${quoteSchema(schema)}.inbox_applied_at_idx`);
}

export async function createInboxAppliedAtIndex(queryRunner: QueryRunner, schema: string): Promise<void> {
  const s = quoteSchema(schema);
  await queryRunner.query(`CREATE INDEX IF NOT EXISTS inbox_applied_at_idx ON ${s}.inbox (applied_at)`);
}

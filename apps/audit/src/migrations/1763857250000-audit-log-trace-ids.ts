import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The W3C trace id each logged event travelled in (its Kafka `traceparent`), to find an ad's
 * trace from its audit record and back. Outside the hash chain: the canonical record and its
 * hash are unchanged, and the column is written once, at insert (the log refuses UPDATE).
 * Nullable: events recorded before, or sent without a trace, have none. Adding a nullable
 * column without a default rewrites no row and fires no trigger. Not indexed: it is read by
 * event and subject (which are), and an index on random ids would tax every append.
 */
export class AuditLogTraceIds1763857250000 implements MigrationInterface {
  name = 'AuditLogTraceIds1763857250000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE audit.log ADD COLUMN trace_id char(32)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE audit.log DROP COLUMN trace_id`);
  }
}

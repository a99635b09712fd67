import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Historical imports of platforms' moderation logs: one row per upload with its progress
 * (updated after every recorded chunk, so another client can follow it), its counts and the
 * first rejected rows. The events themselves go to `audit.log` like any other.
 */
export class HistoryImports1763857100000 implements MigrationInterface {
  name = 'HistoryImports1763857100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit.history_imports (
        id uuid PRIMARY KEY,
        tenant text NOT NULL,
        format text NOT NULL CHECK (format IN ('csv', 'ndjson')),
        status text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
        requested_by text NOT NULL,
        bytes_read bigint NOT NULL DEFAULT 0,
        bytes_expected bigint,
        rows_read integer NOT NULL DEFAULT 0,
        rows_imported integer NOT NULL DEFAULT 0,
        rows_already_imported integer NOT NULL DEFAULT 0,
        rows_rejected integer NOT NULL DEFAULT 0,
        events_appended integer NOT NULL DEFAULT 0,
        errors jsonb NOT NULL DEFAULT '[]',
        errors_truncated boolean NOT NULL DEFAULT false,
        failure text,
        started_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await queryRunner.query('CREATE INDEX history_imports_tenant ON audit.history_imports (tenant, started_at DESC)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS audit.history_imports');
  }
}

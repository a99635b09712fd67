import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every batch POSTed to a Transparency Database, with the answer it got: a 4xx rejection must
 * stay readable (which statement, which field) after the run that received it. `tdb_submissions`
 * keeps the per-statement outcome; this table is the per-request history.
 */
export class TdbSubmissionBatches1763857000000 implements MigrationInterface {
  name = 'TdbSubmissionBatches1763857000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit.tdb_submission_batches (
        id uuid PRIMARY KEY,
        run_id uuid NOT NULL,
        tenant text NOT NULL,
        target_url text NOT NULL,
        puids text[] NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('accepted', 'rejected', 'failed')),
        http_status integer,
        answer jsonb,
        attempts integer NOT NULL,
        submitted_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX tdb_submission_batches_run ON audit.tdb_submission_batches (run_id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS audit.tdb_submission_batches');
  }
}

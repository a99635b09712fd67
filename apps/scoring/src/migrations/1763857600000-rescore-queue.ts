import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ads waiting to be re-assessed: those a batch linked beyond what it re-assesses itself, and
 * those whose row another partition's transaction had not committed yet. Durable, so a restart
 * or a rollback loses none of them.
 */
export class RescoreQueue1763857600000 implements MigrationInterface {
  name = 'RescoreQueue1763857600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE scoring.rescore_queue (
        platform_id text NOT NULL,
        ad_id text NOT NULL,
        queued_at timestamptz NOT NULL DEFAULT now(),
        not_before timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (platform_id, ad_id)
      )`);
    // The drain takes the due entries oldest first.
    await queryRunner.query(`CREATE INDEX rescore_queue_due_idx ON scoring.rescore_queue (not_before, queued_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE scoring.rescore_queue`);
  }
}

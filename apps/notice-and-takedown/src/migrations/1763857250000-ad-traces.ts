import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The W3C trace context of each ad's latest version, as `ads.ingested.v1` carried it, so the
 * events this service publishes about the ad from HTTP calls and workers (a notice, a
 * moderator's decision, a takedown delivery) continue the ad's trace. Nullable: ads recorded
 * before, or sent without a trace, have none.
 */
export class AdTraces1763857250000 implements MigrationInterface {
  name = 'AdTraces1763857250000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE notice_and_takedown.ads ADD COLUMN trace_parent text, ADD COLUMN trace_state text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE notice_and_takedown.ads DROP COLUMN trace_state, DROP COLUMN trace_parent`);
  }
}

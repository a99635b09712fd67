import type { MigrationInterface, QueryRunner } from 'typeorm';

const GIN_INDEXES = ['audit.case_facts_notice_ids_idx', 'audit.notice_facts_case_ids_idx'];

/**
 * The projector looks cases up by notice and notices by case for every batch. A GIN index
 * with `fastupdate` queues new entries in a pending list that every lookup scans whole until
 * vacuum merges it; where autovacuum is off or behind, each lookup then cost milliseconds. The
 * projections are updated in batches, so writing the entries straight into the index costs
 * little; the pending list already queued is merged here.
 */
export class ProjectionGinDirectUpdates1763857400000 implements MigrationInterface {
  name = 'ProjectionGinDirectUpdates1763857400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const index of GIN_INDEXES) {
      await queryRunner.query(`ALTER INDEX ${index} SET (fastupdate = off)`);
      await queryRunner.query(`SELECT gin_clean_pending_list($1::regclass)`, [index]);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const index of GIN_INDEXES) await queryRunner.query(`ALTER INDEX ${index} RESET (fastupdate)`);
  }
}

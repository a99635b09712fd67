import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The last log position an import's events occupy, so its status can say when the SLA engine
 * (which tails the log by position) has taken all of them into account.
 */
export class HistoryImportPositions1763857200000 implements MigrationInterface {
  name = 'HistoryImportPositions1763857200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE audit.history_imports ADD COLUMN last_position bigint');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE audit.history_imports DROP COLUMN IF EXISTS last_position');
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A case's timeline gathers the notices that name the case; without this index each timeline
 * read every notice ever projected.
 */
export class NoticeFactsCaseIdsIndex1763857350000 implements MigrationInterface {
  name = 'NoticeFactsCaseIdsIndex1763857350000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX notice_facts_case_ids_idx ON audit.notice_facts USING gin (case_ids)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX audit.notice_facts_case_ids_idx`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

const KINDS = ['response', 'removal'] as const;

/**
 * The SLA report lists breaches by deadline, a page at a time. Only cases still running or
 * closed as breached can be breached, a small part of a log of millions: each SLA gets a partial
 * index in deadline order over those cases alone, carrying every column the page's filters and
 * live state read, so the page is the first matching entries of that index (an index-only scan
 * that stops at the page's size) instead of a pass over every case of the period.
 */
export class CaseFactsBreachIndexes1763857450000 implements MigrationInterface {
  name = 'CaseFactsBreachIndexes1763857450000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const kind of KINDS) {
      await queryRunner.query(`
        CREATE INDEX case_facts_${kind}_breach_idx ON audit.case_facts (${kind}_deadline, case_id)
          INCLUDE (opened_at, tenant, category, source_type, ${kind}_applicable, ${kind}_final_state, ${kind}_paused_since, ${kind}_warn_at)
          WHERE ${kind}_applicable AND (${kind}_final_state IS NULL OR ${kind}_final_state = 'breached')`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const kind of KINDS) await queryRunner.query(`DROP INDEX audit.case_facts_${kind}_breach_idx`);
  }
}

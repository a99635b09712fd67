import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two reads that ran several times a second without an index that fits them, so each read the
 * whole table, which only grows (one case per ad, one command per decision):
 * - the review queue (`list`, `claimNext`) selects waiting cases, `status = 'open' OR
 *   human_review_due`, in queue order (source rank, nearest of three deadlines, opened_at, id);
 *   the old index covered open cases by response deadline alone, so every claim sorted them all;
 * - the delivery loop acknowledges pending Kafka-delivered commands every round; only
 *   webhook-delivered ones had an index.
 * Both indexes are partial: they hold the few rows waiting, not the history.
 */
export class WaitingCasesAndKafkaCommandsIndexes1763857600000 implements MigrationInterface {
  name = 'WaitingCasesAndKafkaCommandsIndexes1763857600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX notice_and_takedown.cases_queue_idx`);
    await queryRunner.query(`
      CREATE INDEX cases_waiting_idx ON notice_and_takedown.cases
        (source_rank, (LEAST(internal_deadline, response_deadline, removal_deadline)), opened_at, id)
        WHERE status = 'open' OR human_review_due`);
    await queryRunner.query(`
      CREATE INDEX takedown_commands_kafka_pending_idx ON notice_and_takedown.takedown_commands (id)
        WHERE status = 'pending' AND delivery = 'kafka'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX notice_and_takedown.takedown_commands_kafka_pending_idx`);
    await queryRunner.query(`DROP INDEX notice_and_takedown.cases_waiting_idx`);
    await queryRunner.query(`
      CREATE INDEX cases_queue_idx ON notice_and_takedown.cases (source_rank, response_deadline, opened_at)
        WHERE status = 'open'`);
  }
}

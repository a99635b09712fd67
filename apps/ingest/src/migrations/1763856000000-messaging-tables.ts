import { createMessagingTables, dropMessagingTables } from '@vigie/messaging';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Inbox (consumer dedupe) and outbox (transactional publishing) of the ingest schema. */
export class MessagingTables1763856000000 implements MigrationInterface {
  name = 'MessagingTables1763856000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createMessagingTables(queryRunner, 'ingest');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropMessagingTables(queryRunner, 'ingest');
  }
}

import { createMessagingTables, dropMessagingTables } from '@vigie/messaging';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Inbox (consumer dedupe) and outbox (transactional publishing) of the notice-and-takedown schema. */
export class MessagingTables1763856000000 implements MigrationInterface {
  name = 'MessagingTables1763856000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createMessagingTables(queryRunner, 'notice_and_takedown');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropMessagingTables(queryRunner, 'notice_and_takedown');
  }
}

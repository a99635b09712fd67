import { createInboxAppliedAtIndex, dropInboxAppliedAtIndex } from '@vigie/messaging';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The inbox's `applied_at` index was read by no query; retention prunes the inbox by event id. */
export class InboxWithoutAppliedAtIndex1763857500000 implements MigrationInterface {
  name = 'InboxWithoutAppliedAtIndex1763857500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await dropInboxAppliedAtIndex(queryRunner, 'scoring');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await createInboxAppliedAtIndex(queryRunner, 'scoring');
  }
}

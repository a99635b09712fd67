import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The platform's own `updatedAt` of each ad's current version (or `removedAt` of its removal):
 * content whose claim is older is a late resend (a retried request, a lagging snapshot), not a
 * new version. Empty for ads stored before; their next version fills it.
 */
export class AdUpdatedClaims1763857600000 implements MigrationInterface {
  name = 'AdUpdatedClaims1763857600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ingest.ads ADD COLUMN updated_claim timestamptz`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ingest.ads DROP COLUMN updated_claim`);
  }
}

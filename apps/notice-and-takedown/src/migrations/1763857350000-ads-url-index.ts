import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notices that name an ad by its URL are resolved to the ad through this index: without it each
 * such notice read every ad of its platform (the primary key only narrows to the platform).
 */
export class AdsUrlIndex1763857350000 implements MigrationInterface {
  name = 'AdsUrlIndex1763857350000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX ads_url_idx ON notice_and_takedown.ads (platform_id, url)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX notice_and_takedown.ads_url_idx`);
  }
}

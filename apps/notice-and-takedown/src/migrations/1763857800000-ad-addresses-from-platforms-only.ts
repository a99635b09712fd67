import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Until this version a case could take its ad's address from a notice that named the ad by id
 * and gave an address beside it, whoever the notifier; its commands copied it, and the removal
 * verifier sent a GET there. Cases and the commands still to verify now take the address the
 * platform sent for the ad, or none until the ad arrives (the verifier then sets the command
 * aside). A notice located by its address alone was resolved against the platform's ads, so
 * its address is the platform's and is left as it is.
 */
export class AdAddressesFromPlatformsOnly1763857800000 implements MigrationInterface {
  name = 'AdAddressesFromPlatformsOnly1763857800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      UPDATE notice_and_takedown.cases c
         SET ad_url = (SELECT a.url FROM notice_and_takedown.ads a WHERE a.platform_id = c.platform_id AND a.ad_id = c.ad_id)
       WHERE c.ad_url IS DISTINCT FROM (SELECT a.url FROM notice_and_takedown.ads a WHERE a.platform_id = c.platform_id AND a.ad_id = c.ad_id)`);
    await queryRunner.query(`
      UPDATE notice_and_takedown.takedown_commands t
         SET url = (SELECT a.url FROM notice_and_takedown.ads a WHERE a.platform_id = t.platform_id AND a.ad_id = t.ad_id)
       WHERE t.verified_at IS NULL
         AND t.url IS DISTINCT FROM (SELECT a.url FROM notice_and_takedown.ads a WHERE a.platform_id = t.platform_id AND a.ad_id = t.ad_id)`);
  }

  async down(): Promise<void> {
    // The addresses replaced were untrusted; there is nothing to restore.
  }
}

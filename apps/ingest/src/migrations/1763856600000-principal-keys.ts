import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keys for the people and organisations around a case, not only platforms: moderators and
 * compliance officers (of one platform, or of the operator when no platform is set), trusted
 * flaggers (DSA Art. 22), authorities, regulators. `principal_id` is the pseudonymous id the
 * other services record (a moderator id, a trusted-flagger registration, an authority name).
 */
export class PrincipalKeys1763856600000 implements MigrationInterface {
  name = 'PrincipalKeys1763856600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ingest.api_keys DROP CONSTRAINT api_keys_role_check`);
    await queryRunner.query(`ALTER TABLE ingest.api_keys DROP CONSTRAINT api_keys_check`);
    await queryRunner.query(`ALTER TABLE ingest.api_keys ADD COLUMN principal_id text CHECK (length(principal_id) BETWEEN 1 AND 100)`);
    await queryRunner.query(`
      ALTER TABLE ingest.api_keys ADD CONSTRAINT api_keys_role_check
        CHECK (role IN ('admin', 'platform', 'moderator', 'officer', 'trusted-flagger', 'authority', 'regulator'))`);
    await queryRunner.query(`
      ALTER TABLE ingest.api_keys ADD CONSTRAINT api_keys_platform_scope_check CHECK (
        (role = 'platform' AND platform_id IS NOT NULL)
        OR (role IN ('moderator', 'officer'))
        OR (role IN ('admin', 'trusted-flagger', 'authority', 'regulator') AND platform_id IS NULL))`);
    await queryRunner.query(`
      ALTER TABLE ingest.api_keys ADD CONSTRAINT api_keys_principal_check
        CHECK (role IN ('admin', 'platform') OR principal_id IS NOT NULL)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM ingest.api_keys WHERE role NOT IN ('admin', 'platform')`);
    await queryRunner.query(`ALTER TABLE ingest.api_keys DROP CONSTRAINT api_keys_principal_check`);
    await queryRunner.query(`ALTER TABLE ingest.api_keys DROP CONSTRAINT api_keys_platform_scope_check`);
    await queryRunner.query(`ALTER TABLE ingest.api_keys DROP CONSTRAINT api_keys_role_check`);
    await queryRunner.query(`ALTER TABLE ingest.api_keys DROP COLUMN principal_id`);
    await queryRunner.query(`ALTER TABLE ingest.api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('admin', 'platform'))`);
    await queryRunner.query(`ALTER TABLE ingest.api_keys ADD CONSTRAINT api_keys_check CHECK ((role = 'platform') = (platform_id IS NOT NULL))`);
  }
}

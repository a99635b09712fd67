import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The platform registry: who may send ads, and the keys they authenticate with. Keys are
 * stored only as SHA-256 hashes (they are 256-bit random values, so a fast hash is enough);
 * webhook secrets are encrypted (AES-256-GCM) because Vigie must use them to sign.
 */
export class PlatformRegistry1763856100000 implements MigrationInterface {
  name = 'PlatformRegistry1763856100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE ingest.platforms (
        id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        integration_mode text NOT NULL CHECK (integration_mode IN ('http', 'kafka')),
        webhook_url text CHECK (webhook_url IS NULL OR webhook_url ~ '^https?://'),
        webhook_secret_sealed bytea,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await queryRunner.query(`
      CREATE TABLE ingest.api_keys (
        id uuid PRIMARY KEY,
        platform_id text REFERENCES ingest.platforms (id),
        role text NOT NULL CHECK (role IN ('admin', 'platform')),
        label text NOT NULL,
        key_hash bytea NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        revoked_at timestamptz,
        CHECK ((role = 'platform') = (platform_id IS NOT NULL))
      )`);
    await queryRunner.query(`CREATE INDEX api_keys_platform_idx ON ingest.api_keys (platform_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ingest.api_keys`);
    await queryRunner.query(`DROP TABLE ingest.platforms`);
  }
}

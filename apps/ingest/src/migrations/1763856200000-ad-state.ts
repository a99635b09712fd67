import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What ingest remembers of each ad to de-duplicate and version it: the content hash of the
 * current version, a short hash per field (to name what changed), and its status. A removal
 * reported for an ad never seen is kept too (version 0, no content): it is still evidence.
 */
export class AdState1763856200000 implements MigrationInterface {
  name = 'AdState1763856200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE ingest.ads (
        platform_id text NOT NULL REFERENCES ingest.platforms (id),
        ad_id text NOT NULL,
        version integer NOT NULL CHECK (version >= 0),
        content_hash text NOT NULL,
        field_hashes jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('live', 'removed')),
        first_received_at timestamptz NOT NULL,
        last_received_at timestamptz NOT NULL,
        removed_at timestamptz,
        last_event_id uuid NOT NULL,
        PRIMARY KEY (platform_id, ad_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ingest.ads`);
  }
}

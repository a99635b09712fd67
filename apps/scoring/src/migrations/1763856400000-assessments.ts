import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The latest assessment of every ad, with the text and contacts it was made from: linked ads
 * are re-assessed from here when network evidence changes, and the in-memory network state
 * (contact graph, template index) is rebuilt from the rows inside its time window at start.
 */
export class Assessments1763856400000 implements MigrationInterface {
  name = 'Assessments1763856400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE scoring.assessments (
        platform_id text NOT NULL,
        ad_id text NOT NULL,
        ad_version integer NOT NULL,
        content_hash text NOT NULL,
        title text NOT NULL,
        body text NOT NULL,
        country text,
        city text,
        language text,
        contacts text[] NOT NULL,
        names text[] NOT NULL,
        images jsonb NOT NULL,
        score double precision NOT NULL,
        band text NOT NULL CHECK (band IN ('low', 'medium', 'high', 'critical')),
        ruleset_version text NOT NULL,
        assessment jsonb NOT NULL,
        explanation text NOT NULL,
        received_at timestamptz NOT NULL,
        assessed_at timestamptz NOT NULL,
        last_event_id uuid NOT NULL,
        removed boolean NOT NULL DEFAULT false,
        PRIMARY KEY (platform_id, ad_id)
      )`);
    await queryRunner.query(`CREATE INDEX assessments_received_at_idx ON scoring.assessments (received_at)`);
    await queryRunner.query(`CREATE INDEX assessments_contacts_idx ON scoring.assessments USING gin (contacts)`);
    await queryRunner.query(`
      CREATE TABLE scoring.hash_lists (
        list_id text PRIMARY KEY,
        source text NOT NULL,
        list_version text NOT NULL,
        hash_count integer NOT NULL,
        imported_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await queryRunner.query(`
      CREATE TABLE scoring.known_hashes (
        list_id text NOT NULL REFERENCES scoring.hash_lists (list_id),
        pdq text NOT NULL CHECK (pdq ~ '^[0-9a-f]{64}$'),
        quality integer NOT NULL CHECK (quality BETWEEN 0 AND 100),
        PRIMARY KEY (list_id, pdq)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE scoring.known_hashes`);
    await queryRunner.query(`DROP TABLE scoring.hash_lists`);
    await queryRunner.query(`DROP TABLE scoring.assessments`);
  }
}

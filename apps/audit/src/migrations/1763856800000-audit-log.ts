import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The hash-chained, append-only audit log, its chain-head cache, the signed checkpoints and
 * the signing keys' public halves.
 *
 * `audit.log` and `audit.checkpoints` refuse UPDATE, DELETE and TRUNCATE by statement-level
 * triggers (they fire even when no row matches, and cost nothing per row on insert). Only a
 * superuser disabling the triggers can rewrite history, and `verify` exists to catch that.
 * Subjects are compared in byte order (`COLLATE "C"`) so that the database's order is the
 * Merkle leaf order whatever the cluster's locale.
 */
export class AuditLog1763856800000 implements MigrationInterface {
  name = 'AuditLog1763856800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit.log (
        position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        subject text COLLATE "C" NOT NULL,
        tenant text NOT NULL,
        type text NOT NULL,
        seq bigint NOT NULL CHECK (seq >= 1),
        correlation_id text,
        canonical text NOT NULL,
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL,
        occurred_at timestamptz NOT NULL,
        broker_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL,
        topic text NOT NULL,
        kafka_partition int NOT NULL,
        kafka_offset bigint NOT NULL,
        CONSTRAINT log_subject_seq UNIQUE (subject, seq)
      )`);
    await queryRunner.query(`CREATE INDEX log_correlation ON audit.log (correlation_id) WHERE correlation_id IS NOT NULL`);
    await queryRunner.query(`
      CREATE TABLE audit.chain_heads (
        subject text COLLATE "C" PRIMARY KEY,
        tenant text NOT NULL,
        seq bigint NOT NULL,
        hash char(64) NOT NULL,
        position bigint NOT NULL,
        last_type text NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX chain_heads_tenant ON audit.chain_heads (tenant, subject)`);
    await queryRunner.query(`
      CREATE TABLE audit.signing_keys (
        key_id text PRIMARY KEY,
        algorithm text NOT NULL DEFAULT 'ed25519',
        public_key_pem text NOT NULL,
        valid_from timestamptz NOT NULL,
        valid_until timestamptz
      )`);
    await queryRunner.query(`
      CREATE TABLE audit.checkpoints (
        tenant text NOT NULL,
        sequence bigint NOT NULL,
        event_id uuid NOT NULL UNIQUE,
        up_to_position bigint NOT NULL,
        root char(64) NOT NULL,
        chain_count bigint NOT NULL,
        record_count bigint NOT NULL,
        issued_at timestamptz NOT NULL,
        key_id text NOT NULL REFERENCES audit.signing_keys (key_id),
        data jsonb NOT NULL,
        PRIMARY KEY (tenant, sequence)
      )`);
    await queryRunner.query(`
      CREATE FUNCTION audit.reject_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '%.% is append-only: % is not allowed', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    for (const table of ['log', 'checkpoints']) {
      await queryRunner.query(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON audit.${table}
           FOR EACH STATEMENT EXECUTE FUNCTION audit.reject_history_change()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON audit.${table}
           FOR EACH STATEMENT EXECUTE FUNCTION audit.reject_history_change()`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS audit.checkpoints');
    await queryRunner.query('DROP TABLE IF EXISTS audit.signing_keys');
    await queryRunner.query('DROP TABLE IF EXISTS audit.chain_heads');
    await queryRunner.query('DROP TABLE IF EXISTS audit.log');
    await queryRunner.query('DROP FUNCTION IF EXISTS audit.reject_history_change()');
  }
}

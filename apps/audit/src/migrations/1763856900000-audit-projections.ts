import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Projections derived from `audit.log` (rebuilt from it at will), the SLA alert schedule and
 * the record of statements of reasons sent to the EU Transparency Database. Nothing here
 * references `audit.log` itself, so this migration does not depend on the log's own.
 */
export class AuditProjections1763856900000 implements MigrationInterface {
  name = 'AuditProjections1763856900000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit.projection_progress (
        projector text PRIMARY KEY,
        position bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One ad on one platform, as the log tells it: facts gathered before any case opens.
    await queryRunner.query(`
      CREATE TABLE audit.subject_facts (
        subject text PRIMARY KEY,
        tenant text NOT NULL,
        facts jsonb NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE audit.notice_facts (
        notice_id text PRIMARY KEY,
        tenant text NOT NULL,
        subject text NOT NULL,
        received_at timestamptz,
        category text,
        source_type text,
        trusted_flagger boolean NOT NULL DEFAULT false,
        qualified boolean,
        rejection_reason text,
        case_ids text[] NOT NULL DEFAULT '{}',
        facts jsonb NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX notice_facts_tenant_received_idx ON audit.notice_facts (tenant, received_at)`);
    await queryRunner.query(`CREATE INDEX notice_facts_received_idx ON audit.notice_facts (received_at)`);
    await queryRunner.query(`
      CREATE TABLE audit.case_facts (
        case_id text PRIMARY KEY,
        tenant text NOT NULL,
        subject text NOT NULL,
        platform_ad_id text NOT NULL,
        category text,
        source_type text NOT NULL DEFAULT 'own-initiative',
        origin text,
        trusted_flagger boolean NOT NULL DEFAULT false,
        policy_version text,
        policy_applied text,
        notice_ids text[] NOT NULL DEFAULT '{}',
        opened_at timestamptz NOT NULL,
        published_at timestamptz,
        first_flag_at timestamptz,
        notice_received_at timestamptz,
        knowledge_at timestamptz,
        knowledge_basis text,
        knowledge_provisional boolean NOT NULL DEFAULT false,
        decided_at timestamptz,
        notifier_informed_at timestamptz,
        uploader_informed_at timestamptz,
        takedown_requested_at timestamptz,
        removed_at timestamptz,
        verified_at timestamptz,
        referred_at timestamptz,
        closed_at timestamptz,
        outcome text,
        action text,
        ground text,
        automated_detection boolean,
        automated_decision text,
        account_action text,
        referral_required boolean NOT NULL DEFAULT false,
        appeals integer NOT NULL DEFAULT 0,
        appeals_upheld integer NOT NULL DEFAULT 0,
        appeals_reversed integer NOT NULL DEFAULT 0,
        appeals_modified integer NOT NULL DEFAULT 0,
        response_applicable boolean NOT NULL DEFAULT false,
        response_started_at timestamptz,
        response_ended_at timestamptz,
        response_target_ms bigint,
        response_deadline timestamptz,
        response_warn_at timestamptz,
        response_paused_since timestamptz,
        response_final_state text,
        response_elapsed_ms bigint,
        response_paused_ms bigint,
        removal_applicable boolean NOT NULL DEFAULT false,
        removal_started_at timestamptz,
        removal_ended_at timestamptz,
        removal_target_ms bigint,
        removal_deadline timestamptz,
        removal_warn_at timestamptz,
        removal_paused_since timestamptz,
        removal_final_state text,
        removal_elapsed_ms bigint,
        removal_paused_ms bigint,
        anomaly_count integer NOT NULL DEFAULT 0,
        anomalies jsonb NOT NULL DEFAULT '[]',
        facts jsonb NOT NULL,
        last_position bigint NOT NULL
      )`);
    // The SLA report filters on the period first, then platform, category and source.
    await queryRunner.query(`CREATE INDEX case_facts_opened_idx ON audit.case_facts (opened_at)`);
    await queryRunner.query(`CREATE INDEX case_facts_tenant_opened_idx ON audit.case_facts (tenant, opened_at)`);
    await queryRunner.query(`CREATE INDEX case_facts_subject_idx ON audit.case_facts (subject)`);
    await queryRunner.query(`CREATE INDEX case_facts_notice_ids_idx ON audit.case_facts USING gin (notice_ids)`);
    await queryRunner.query(`
      CREATE TABLE audit.statements_of_reasons (
        tenant text NOT NULL,
        puid text NOT NULL,
        case_id text NOT NULL,
        decision_id text NOT NULL,
        informed_at timestamptz NOT NULL,
        statement jsonb NOT NULL,
        conflicting_event_ids text[] NOT NULL DEFAULT '{}',
        position bigint NOT NULL,
        PRIMARY KEY (tenant, puid)
      )`);
    await queryRunner.query(`CREATE INDEX statements_of_reasons_informed_idx ON audit.statements_of_reasons (informed_at)`);
    // Not a projection: survives rebuilds, so an alert once sent is never sent again.
    await queryRunner.query(`
      CREATE TABLE audit.sla_alert_schedule (
        case_id text NOT NULL,
        kind text NOT NULL,
        threshold text NOT NULL,
        due_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'superseded')),
        event_id text,
        sent_at timestamptz,
        PRIMARY KEY (case_id, kind, threshold)
      )`);
    await queryRunner.query(`CREATE INDEX sla_alert_schedule_due_idx ON audit.sla_alert_schedule (due_at) WHERE status = 'pending'`);
    // Not a projection either: the Transparency Database refuses a puid twice.
    await queryRunner.query(`
      CREATE TABLE audit.tdb_submissions (
        tenant text NOT NULL,
        puid text NOT NULL,
        target_url text NOT NULL,
        submitted_at timestamptz NOT NULL DEFAULT now(),
        outcome text NOT NULL,
        PRIMARY KEY (tenant, puid)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'tdb_submissions',
      'sla_alert_schedule',
      'statements_of_reasons',
      'case_facts',
      'notice_facts',
      'subject_facts',
      'projection_progress',
    ]) {
      await queryRunner.query(`DROP TABLE IF EXISTS audit.${table}`);
    }
  }
}

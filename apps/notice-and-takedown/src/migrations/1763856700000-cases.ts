import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notices, cases and everything decided about them. Timestamps are the server's (`timestamptz`,
 * millisecond precision is kept by Postgres' microseconds); the clock facts of a case are
 * columns of `cases` so the queue and the SLA checks read one row. Nothing here is ever
 * deleted: a case is closed, a notice judged, a command superseded.
 */
export class Cases1763856700000 implements MigrationInterface {
  name = 'Cases1763856700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // What notice-and-takedown knows of each ad, from ads.ingested.v1: enough for the statement
    // of reasons, repeat-offender counts and the verification probe; never the ad's text.
    await queryRunner.query(`
      CREATE TABLE notice_and_takedown.ads (
        platform_id text NOT NULL,
        ad_id text NOT NULL,
        url text NOT NULL,
        version integer NOT NULL,
        published_at timestamptz NOT NULL,
        language text,
        country text,
        poster_account_id text,
        contacts text[] NOT NULL DEFAULT '{}',
        has_images boolean NOT NULL DEFAULT false,
        removed_at timestamptz,
        removed_by text,
        removal_command_id uuid,
        removal_received_at timestamptz,
        ingested_at timestamptz NOT NULL,
        PRIMARY KEY (platform_id, ad_id)
      )`);

    await queryRunner.query(`
      CREATE TABLE notice_and_takedown.notices (
        id uuid PRIMARY KEY,
        received_at timestamptz NOT NULL,
        source_type text NOT NULL CHECK (source_type IN ('public', 'trusted-flagger', 'authority-order')),
        channel text NOT NULL,
        category text NOT NULL,
        keywords text[] NOT NULL DEFAULT '{}',
        explanation text NOT NULL,
        notifier_name text,
        notifier_email text,
        notifier_key text NOT NULL,
        good_faith boolean NOT NULL,
        authority_order jsonb,
        locations jsonb NOT NULL,
        status text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'qualified', 'rejected')),
        judged_at timestamptz,
        judged_by text,
        rejection_reason text,
        manifestly_unfounded boolean NOT NULL DEFAULT false,
        deprioritised boolean NOT NULL DEFAULT false
      )`);
    await queryRunner.query(`CREATE INDEX notices_notifier_idx ON notice_and_takedown.notices (notifier_key, received_at)`);

    await queryRunner.query(`
      CREATE TABLE notice_and_takedown.cases (
        id uuid PRIMARY KEY,
        platform_id text NOT NULL,
        ad_id text NOT NULL,
        ad_url text,
        category text NOT NULL,
        origin text NOT NULL,
        priority text NOT NULL CHECK (priority IN ('urgent', 'high', 'normal', 'low')),
        source_rank smallint NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'decided', 'closed')),
        policy_version text NOT NULL,
        opened_at timestamptz NOT NULL,
        published_at timestamptz,
        first_flag_at timestamptz,
        flag_band text,
        flag_score double precision,
        flag_indicators text[] NOT NULL DEFAULT '{}',
        referral_suggested boolean NOT NULL DEFAULT false,
        notice_received_at timestamptz,
        provisional_from timestamptz,
        knowledge_at timestamptz,
        knowledge_basis text,
        response_deadline timestamptz,
        removal_deadline timestamptz,
        internal_deadline timestamptz,
        authority_deadline timestamptz,
        claimed_by text,
        lease_expires_at timestamptz,
        decision_id uuid,
        decided_at timestamptz,
        decided_by text,
        action text,
        automated_decision text,
        human_review_due boolean NOT NULL DEFAULT false,
        notifier_informed_at timestamptz,
        takedown_requested_at timestamptz,
        removed_at timestamptz,
        verified_at timestamptz,
        referred_at timestamptz,
        closed_at timestamptz,
        updated_at timestamptz NOT NULL,
        UNIQUE (platform_id, ad_id)
      )`);
    // The review queue: open cases by priority then deadline, read many times a second.
    await queryRunner.query(`
      CREATE INDEX cases_queue_idx ON notice_and_takedown.cases (source_rank, response_deadline, opened_at)
        WHERE status = 'open'`);
    await queryRunner.query(`CREATE INDEX cases_platform_idx ON notice_and_takedown.cases (platform_id, opened_at)`);

    await queryRunner.query(`
      CREATE TABLE notice_and_takedown.case_notices (
        case_id uuid NOT NULL REFERENCES notice_and_takedown.cases (id),
        notice_id uuid NOT NULL REFERENCES notice_and_takedown.notices (id),
        joined_at timestamptz NOT NULL,
        notifier_informed_at timestamptz,
        PRIMARY KEY (case_id, notice_id)
      )`);
    await queryRunner.query(`CREATE INDEX case_notices_notice_idx ON notice_and_takedown.case_notices (notice_id)`);

    await queryRunner.query(`
      CREATE TABLE notice_and_takedown.clock_pauses (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES notice_and_takedown.cases (id),
        paused_at timestamptz NOT NULL,
        resumed_at timestamptz,
        reason text NOT NULL CHECK (reason IN ('clarification-requested', 'force-majeure')),
        explanation text NOT NULL,
        slas text[] NOT NULL,
        paused_by text NOT NULL,
        CHECK (resumed_at IS NULL OR resumed_at >= paused_at)
      )`);
    await queryRunner.query(`
      CREATE UNIQUE INDEX clock_pauses_open_idx ON notice_and_takedown.clock_pauses (case_id) WHERE resumed_at IS NULL`);

    await queryRunner.query(`
      CREATE TABLE notice_and_takedown.decisions (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES notice_and_takedown.cases (id),
        decided_at timestamptz NOT NULL,
        decided_by_kind text NOT NULL CHECK (decided_by_kind IN ('moderator', 'system')),
        decided_by text NOT NULL,
        action text NOT NULL,
        ground text,
        legal_reference text,
        explanation text NOT NULL,
        statement_category text NOT NULL,
        keywords text[] NOT NULL,
        automated_detection boolean NOT NULL,
        automated_decision text NOT NULL,
        account_action text NOT NULL,
        statement_of_reasons jsonb,
        uploader_informed_at timestamptz,
        appeal_deadline timestamptz,
        reviewed_decision_id uuid REFERENCES notice_and_takedown.decisions (id)
      )`);
    await queryRunner.query(`CREATE INDEX decisions_case_idx ON notice_and_takedown.decisions (case_id, decided_at)`);

    // One row per command; delivery state lives here so a command is retried, never duplicated:
    // the platform sees the same command id on every attempt.
    await queryRunner.query(`
      CREATE TABLE notice_and_takedown.takedown_commands (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES notice_and_takedown.cases (id),
        decision_id uuid REFERENCES notice_and_takedown.decisions (id),
        appeal_id uuid,
        platform_id text NOT NULL,
        ad_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('takedown', 'reinstatement')),
        action text NOT NULL CHECK (action IN ('remove', 'disable', 'restrict', 'reinstate')),
        url text,
        deadline timestamptz NOT NULL,
        delivery text NOT NULL CHECK (delivery IN ('webhook', 'kafka')),
        payload jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'delivered', 'confirmed', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        last_error text,
        requested_at timestamptz NOT NULL,
        delivered_at timestamptz,
        confirmed_at timestamptz,
        verified_at timestamptz,
        verification_attempts integer NOT NULL DEFAULT 0,
        next_verification_at timestamptz
      )`);
    await queryRunner.query(`
      CREATE INDEX takedown_commands_due_idx ON notice_and_takedown.takedown_commands (next_attempt_at)
        WHERE status = 'pending' AND delivery = 'webhook'`);
    await queryRunner.query(`
      CREATE INDEX takedown_commands_verify_idx ON notice_and_takedown.takedown_commands (next_verification_at)
        WHERE verified_at IS NULL AND next_verification_at IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX takedown_commands_case_idx ON notice_and_takedown.takedown_commands (case_id)`);

    await queryRunner.query(`
      CREATE TABLE notice_and_takedown.appeals (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES notice_and_takedown.cases (id),
        decision_id uuid NOT NULL REFERENCES notice_and_takedown.decisions (id),
        received_at timestamptz NOT NULL,
        appellant text NOT NULL,
        channel text NOT NULL,
        grounds text NOT NULL,
        decided_at timestamptz,
        decided_by text,
        outcome text,
        new_action text,
        explanation text
      )`);
    await queryRunner.query(`
      CREATE UNIQUE INDEX appeals_open_idx ON notice_and_takedown.appeals (decision_id) WHERE decided_at IS NULL`);

    await queryRunner.query(`
      CREATE TABLE notice_and_takedown.referrals (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL UNIQUE REFERENCES notice_and_takedown.cases (id),
        referred_at timestamptz NOT NULL,
        authority text NOT NULL,
        authority_name text NOT NULL,
        reason text NOT NULL,
        channel text NOT NULL,
        package jsonb NOT NULL
      )`);

    // DSA Art. 23: removals per poster account / contact, and unfounded notices per notifier
    // (written only when a notice is judged unfounded: never on the notice intake path).
    await queryRunner.query(`
      CREATE TABLE notice_and_takedown.offender_counts (
        platform_id text NOT NULL,
        subject_kind text NOT NULL CHECK (subject_kind IN ('account', 'contact')),
        subject text NOT NULL,
        removals integer NOT NULL,
        case_ids uuid[] NOT NULL,
        recommended_at timestamptz,
        PRIMARY KEY (platform_id, subject_kind, subject)
      )`);
    await queryRunner.query(`
      CREATE TABLE notice_and_takedown.notifier_standing (
        notifier_key text PRIMARY KEY,
        unfounded integer NOT NULL DEFAULT 0,
        warned_at timestamptz,
        deprioritised_at timestamptz
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'notifier_standing',
      'offender_counts',
      'referrals',
      'appeals',
      'takedown_commands',
      'decisions',
      'clock_pauses',
      'case_notices',
      'cases',
      'notices',
      'ads',
    ]) {
      await queryRunner.query(`DROP TABLE notice_and_takedown.${table}`);
    }
  }
}

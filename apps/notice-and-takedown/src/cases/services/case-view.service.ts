import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_SETTINGS, type Caller } from '@vigie/service-kit';
import { evaluateSla, type ClockPause } from '@vigie/sla';
import { DataSource } from 'typeorm';
import type { NoticeAndTakedownSettings } from '../../notice-and-takedown.settings';
import { CaseException, CaseExceptionCode } from '../exceptions/case.exception';
import { assertCaseVisible, UUID } from './case-access';
import type { CaseRow } from './case-row';

const isoOrNull = (date: Date | null | undefined) => (date ? date.toISOString() : null);

/** Read side of cases: a case with its timeline and SLA states, lists, referral packages. */
@Injectable()
export class CaseView {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVICE_SETTINGS) private readonly settings: NoticeAndTakedownSettings,
  ) {}

  async list(caller: Caller, filter: { platformId?: string; status?: string; limit: number }) {
    const platformId = caller.platformId ?? filter.platformId ?? null;
    const rows: CaseRow[] = await this.dataSource.query(
      `SELECT * FROM notice_and_takedown.cases
        WHERE ($1::text IS NULL OR platform_id = $1) AND ($2::text IS NULL OR status = $2)
        ORDER BY opened_at DESC, id DESC LIMIT $3`,
      [platformId, filter.status ?? null, filter.limit],
    );
    return { cases: rows.map((row) => this.summary(row)) };
  }

  async get(caseId: string, caller: Caller) {
    const [row]: CaseRow[] = UUID.test(caseId) ? await this.dataSource.query(`SELECT * FROM notice_and_takedown.cases WHERE id = $1`, [caseId]) : [];
    assertCaseVisible(row, caller, caseId);
    const [notices, decisions, pauses, commands, appeals, referral] = await Promise.all([
      this.dataSource.query(
        `SELECT n.id, n.received_at, n.source_type, n.category, n.status, n.judged_at, n.rejection_reason, cn.notifier_informed_at
           FROM notice_and_takedown.case_notices cn JOIN notice_and_takedown.notices n ON n.id = cn.notice_id
          WHERE cn.case_id = $1 ORDER BY n.received_at, n.id`,
        [caseId],
      ),
      this.dataSource.query(`SELECT * FROM notice_and_takedown.decisions WHERE case_id = $1 ORDER BY decided_at, id`, [caseId]),
      this.dataSource.query(`SELECT * FROM notice_and_takedown.clock_pauses WHERE case_id = $1 ORDER BY paused_at, id`, [caseId]),
      this.dataSource.query(
        `SELECT id, kind, action, delivery, status, attempts, requested_at, delivered_at, confirmed_at, verified_at, deadline, last_error
           FROM notice_and_takedown.takedown_commands WHERE case_id = $1 ORDER BY requested_at, id`,
        [caseId],
      ),
      this.dataSource.query(`SELECT * FROM notice_and_takedown.appeals WHERE case_id = $1 ORDER BY received_at, id`, [caseId]),
      this.dataSource.query(`SELECT id, referred_at, authority, reason FROM notice_and_takedown.referrals WHERE case_id = $1`, [caseId]),
    ]);
    const now = Date.now();
    const pausesFor = (kind: string): ClockPause[] =>
      pauses
        .filter((pause: { slas: string[] }) => pause.slas.includes(kind))
        .map((pause: { paused_at: Date; resumed_at: Date | null; reason: string }) => ({
          startMs: pause.paused_at.getTime(),
          endMs: pause.resumed_at?.getTime() ?? null,
          reason: pause.reason,
        }));
    const sla = (kind: 'response' | 'removal', start: Date | null, end: Date | null, deadline: Date | null) =>
      start && deadline
        ? evaluateSla({
            kind,
            startMs: start.getTime(),
            endMs: end?.getTime() ?? null,
            targetMs: Math.max(1, deadline.getTime() - start.getTime()),
            pauses: pausesFor(kind),
            nowMs: now,
            warningShares: this.settings.slaPolicy.warningShares,
          })
        : null;
    const removalStart = row.knowledge_at ?? row.provisional_from;
    return {
      ...this.summary(row),
      clock: {
        publishedAt: isoOrNull(row.published_at),
        firstFlagAt: isoOrNull(row.first_flag_at),
        noticeReceivedAt: isoOrNull(row.notice_received_at),
        provisionalFrom: isoOrNull(row.provisional_from),
        knowledgeAt: isoOrNull(row.knowledge_at),
        knowledgeBasis: row.knowledge_basis,
        decidedAt: isoOrNull(row.decided_at),
        notifierInformedAt: isoOrNull(row.notifier_informed_at),
        takedownRequestedAt: isoOrNull(row.takedown_requested_at),
        removedAt: isoOrNull(row.removed_at),
        verifiedAt: isoOrNull(row.verified_at),
        referredAt: isoOrNull(row.referred_at),
        closedAt: isoOrNull(row.closed_at),
      },
      sla: {
        policyVersion: row.policy_version,
        response: sla('response', row.notice_received_at, row.notifier_informed_at, row.response_deadline),
        removal: sla('removal', removalStart, row.removed_at, row.removal_deadline),
        internalRemovalDeadline: isoOrNull(row.internal_deadline),
        authorityDeadline: isoOrNull(row.authority_deadline),
      },
      flag: row.first_flag_at ? { band: row.flag_band, score: row.flag_score, indicators: row.flag_indicators, referralSuggested: row.referral_suggested } : null,
      notices: notices.map((notice: Record<string, unknown>) => ({
        noticeId: notice.id,
        receivedAt: (notice.received_at as Date).toISOString(),
        sourceType: notice.source_type,
        category: notice.category,
        status: notice.status,
        judgedAt: isoOrNull(notice.judged_at as Date | null),
        rejectionReason: notice.rejection_reason,
        notifierInformedAt: isoOrNull(notice.notifier_informed_at as Date | null),
      })),
      pauses: pauses.map((pause: Record<string, unknown>) => ({
        pauseId: pause.id,
        pausedAt: (pause.paused_at as Date).toISOString(),
        resumedAt: isoOrNull(pause.resumed_at as Date | null),
        reason: pause.reason,
        explanation: pause.explanation,
        slas: pause.slas,
      })),
      decisions: decisions.map((decision: Record<string, unknown>) => ({
        decisionId: decision.id,
        decidedAt: (decision.decided_at as Date).toISOString(),
        decidedBy: { kind: decision.decided_by_kind, id: decision.decided_by },
        action: decision.action,
        ground: decision.ground,
        legalReference: decision.legal_reference,
        explanation: decision.explanation,
        automatedDetection: decision.automated_detection,
        automatedDecision: decision.automated_decision,
        accountAction: decision.account_action,
        statementOfReasons: decision.statement_of_reasons,
        uploaderInformedAt: isoOrNull(decision.uploader_informed_at as Date | null),
        appealDeadline: isoOrNull(decision.appeal_deadline as Date | null),
        reviewsDecisionId: decision.reviewed_decision_id,
      })),
      commands: commands.map((command: Record<string, unknown>) => ({
        commandId: command.id,
        kind: command.kind,
        action: command.action,
        delivery: command.delivery,
        status: command.status,
        attempts: command.attempts,
        requestedAt: (command.requested_at as Date).toISOString(),
        deadline: (command.deadline as Date).toISOString(),
        deliveredAt: isoOrNull(command.delivered_at as Date | null),
        confirmedAt: isoOrNull(command.confirmed_at as Date | null),
        verifiedAt: isoOrNull(command.verified_at as Date | null),
        lastError: command.last_error,
      })),
      appeals: appeals.map((appeal: Record<string, unknown>) => ({
        appealId: appeal.id,
        decisionId: appeal.decision_id,
        receivedAt: (appeal.received_at as Date).toISOString(),
        appellant: appeal.appellant,
        outcome: appeal.outcome,
        decidedAt: isoOrNull(appeal.decided_at as Date | null),
      })),
      referral: referral[0]
        ? { referralId: referral[0].id, referredAt: referral[0].referred_at.toISOString(), authority: referral[0].authority, reason: referral[0].reason }
        : null,
    };
  }

  async referralPackage(caseId: string, caller: Caller) {
    const rows: { platform_id: string; package: unknown }[] = UUID.test(caseId)
      ? await this.dataSource.query(
          `SELECT c.platform_id, r.package FROM notice_and_takedown.cases c
             LEFT JOIN notice_and_takedown.referrals r ON r.case_id = c.id WHERE c.id = $1`,
          [caseId],
        )
      : [];
    assertCaseVisible(rows[0], caller, caseId);
    if (!rows[0].package) throw new CaseException(CaseExceptionCode.NO_REFERRAL, `case "${caseId}" has not been referred`);
    return rows[0].package;
  }

  async repeatOffenders(platformId: string) {
    const rows: { subject_kind: string; subject: string; removals: number; case_ids: string[]; recommended_at: Date | null }[] =
      await this.dataSource.query(
        `SELECT subject_kind, subject, removals, case_ids, recommended_at FROM notice_and_takedown.offender_counts
          WHERE platform_id = $1 AND recommended_at IS NOT NULL ORDER BY removals DESC, subject LIMIT 1000`,
        [platformId],
      );
    return {
      threshold: this.settings.repeatOffenderRemovals,
      recommendations: rows.map((row) => ({
        kind: row.subject_kind,
        subject: row.subject,
        removals: row.removals,
        caseIds: row.case_ids,
        recommendation: 'suspend',
        recommendedAt: row.recommended_at?.toISOString() ?? null,
      })),
    };
  }

  private summary(row: CaseRow) {
    return {
      caseId: row.id,
      platformId: row.platform_id,
      platformAdId: row.ad_id,
      url: row.ad_url,
      category: row.category,
      origin: row.origin,
      priority: row.priority,
      status: row.status,
      action: row.action,
      openedAt: row.opened_at.toISOString(),
      responseDeadline: isoOrNull(row.response_deadline),
      removalDeadline: isoOrNull(row.removal_deadline),
      claimedBy: row.lease_expires_at && row.lease_expires_at.getTime() > Date.now() ? row.claimed_by : null,
      humanReviewDue: row.human_review_due,
    };
  }
}

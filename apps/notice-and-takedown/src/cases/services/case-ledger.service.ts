import { Inject, Injectable } from '@nestjs/common';
import { casePriority, strongerSource, type AbuseCategory, type NoticeSourceType } from '@vigie/case-rules';
import { uuidv7, type AnyEvent, type EventData } from '@vigie/contracts';
import { SERVICE_SETTINGS, updateReturning } from '@vigie/service-kit';
import { establishKnowledge, resolveTargets, type SlaPolicy } from '@vigie/sla';
import type { EntityManager } from 'typeorm';
import type { NoticeAndTakedownSettings } from '../../notice-and-takedown.settings';
import { caseEvent, iso, isoOrNull } from './case-events';
import { CATEGORY_SEVERITY, type CaseNoticeRow, type CaseRow } from './case-row';

export interface OpenCaseInput {
  platformId: string;
  adId: string;
  url: string | null;
  origin: CaseRow['origin'];
  category: AbuseCategory;
  notice: { id: string; receivedAt: Date; sourceType: NoticeSourceType } | null;
  flag: { at: Date; band: 'high' | 'critical'; score: number; indicators: string[]; referralSuggested: boolean } | null;
  authorityDeadline: Date | null;
  now: Date;
  causationId: string | null;
}

/**
 * Cases and their clock: one case per (platform, ad), gathering its notices and flags. Every
 * change recomputes knowledge and deadlines from the stored facts with `@vigie/sla`, so the
 * clock never depends on the order facts arrived in. Callers pass their transaction; the
 * returned events go to the outbox in it.
 */
@Injectable()
export class CaseLedger {
  private readonly policy: SlaPolicy;

  constructor(@Inject(SERVICE_SETTINGS) settings: NoticeAndTakedownSettings) {
    this.policy = settings.slaPolicy;
  }

  get policyVersion(): string {
    return this.policy.version;
  }

  /** Opens the ad's case or joins it; the row stays locked until the caller's transaction ends. */
  async openOrJoin(manager: EntityManager, input: OpenCaseInput): Promise<{ row: CaseRow; opened: boolean; events: AnyEvent[] }> {
    // One statement opens the case or merges the new facts into it (and locks the row): the
    // most severe category, the earliest times, the strongest flag.
    const [upserted]: (CaseRow & { inserted: boolean })[] = await manager.query(
      `INSERT INTO notice_and_takedown.cases AS c
         (id, platform_id, ad_id, ad_url, category, origin, priority, source_rank, status, policy_version, opened_at, updated_at,
          published_at, notice_received_at, first_flag_at, flag_band, flag_score, flag_indicators, referral_suggested, authority_deadline)
       VALUES ($1, $2, $3, $4, $5, $6, 'normal', 3, 'open', $7, $8, $8,
               (SELECT published_at FROM notice_and_takedown.ads WHERE platform_id = $2 AND ad_id = $3),
               $9, $10, $11, $12, COALESCE($13::text[], '{}'), $14, $15)
       ON CONFLICT (platform_id, ad_id) DO UPDATE SET
         updated_at = excluded.updated_at,
         category = CASE WHEN array_position($16::text[], excluded.category) < array_position($16::text[], c.category)
                         THEN excluded.category ELSE c.category END,
         ad_url = COALESCE(c.ad_url, excluded.ad_url),
         notice_received_at = LEAST(c.notice_received_at, excluded.notice_received_at),
         first_flag_at = LEAST(c.first_flag_at, excluded.first_flag_at),
         flag_band = CASE WHEN excluded.flag_band IS NULL THEN c.flag_band WHEN c.flag_band = 'critical' THEN 'critical' ELSE excluded.flag_band END,
         flag_score = GREATEST(c.flag_score, excluded.flag_score),
         flag_indicators = ARRAY(SELECT DISTINCT unnest(c.flag_indicators || excluded.flag_indicators) ORDER BY 1),
         referral_suggested = c.referral_suggested OR excluded.referral_suggested,
         authority_deadline = LEAST(c.authority_deadline, excluded.authority_deadline)
       RETURNING *, (xmax = 0) AS inserted`,
      [
        uuidv7(),
        input.platformId,
        input.adId,
        input.url,
        input.category,
        input.origin,
        this.policy.version,
        input.now,
        input.notice?.receivedAt ?? null,
        input.flag?.at ?? null,
        input.flag?.band ?? null,
        input.flag?.score ?? null,
        input.flag ? [...new Set(input.flag.indicators)].sort() : null,
        input.flag?.referralSuggested ?? false,
        input.authorityDeadline,
        CATEGORY_SEVERITY,
      ],
    );
    const { inserted: opened, ...row } = upserted as CaseRow & { inserted: boolean };
    if (input.notice) {
      await manager.query(
        `INSERT INTO notice_and_takedown.case_notices (case_id, notice_id, joined_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [row.id, input.notice.id, input.now],
      );
    }
    const refreshed = await this.refresh(manager, row.id, input.now, input.causationId, { locked: row, hasDecisions: !opened });
    const events: AnyEvent[] = [];
    if (opened) {
      const current = refreshed.row;
      events.push(
        caseEvent(
          'case.opened',
          current,
          {
            caseId: current.id,
            platformAdId: current.ad_id,
            openedAt: iso(current.opened_at),
            origin: input.origin,
            category: current.category,
            noticeId: input.notice?.id ?? null,
            noticeSourceType: input.notice?.sourceType ?? null,
            noticeReceivedAt: isoOrNull(current.notice_received_at),
            firstFlagAt: isoOrNull(current.first_flag_at),
            publishedAt: isoOrNull(current.published_at),
            priority: current.priority === 'low' ? 'normal' : current.priority,
            policyVersion: current.policy_version,
          },
          { occurredAt: input.now, causationId: input.causationId },
        ),
      );
    }
    events.push(...refreshed.events);
    return { row: refreshed.row, opened, events };
  }

  async lock(manager: EntityManager, caseId: string): Promise<CaseRow | undefined> {
    const [row]: CaseRow[] = await manager.query(`SELECT * FROM notice_and_takedown.cases WHERE id = $1 FOR UPDATE`, [caseId]);
    return row;
  }

  async notices(manager: EntityManager, caseId: string): Promise<CaseNoticeRow[]> {
    return manager.query(
      `SELECT n.id, n.received_at, n.source_type, n.status, n.notifier_email, n.notifier_key, n.deprioritised,
              n.authority_order, n.channel, cn.notifier_informed_at
         FROM notice_and_takedown.case_notices cn JOIN notice_and_takedown.notices n ON n.id = cn.notice_id
        WHERE cn.case_id = $1 ORDER BY n.received_at, n.id`,
      [caseId],
    );
  }

  /**
   * Recomputes priority, knowledge and deadlines from the case's facts. Emits
   * `case.knowledge-established` when knowledge is first established or moves earlier (a
   * notice qualified later dates knowledge back to its receipt).
   */
  async refresh(
    manager: EntityManager,
    caseId: string,
    now: Date,
    causationId: string | null,
    known: { locked?: CaseRow; hasDecisions?: boolean } = {},
  ): Promise<{ row: CaseRow; events: AnyEvent[] }> {
    const row = known.locked ?? ((await this.lock(manager, caseId)) as CaseRow);
    const notices = await this.notices(manager, caseId);
    // The first automatic and the first human removal, if any: both are knowledge facts.
    const [firsts]: { automatic: Date | null; confirmed: Date | null }[] =
      known.hasDecisions === false
        ? [{ automatic: null, confirmed: null }]
        : await manager.query(
            `SELECT min(decided_at) FILTER (WHERE decided_by_kind = 'system') AS automatic,
                    min(decided_at) FILTER (WHERE decided_by_kind = 'moderator') AS confirmed
               FROM notice_and_takedown.decisions WHERE case_id = $1 AND action IN ('remove', 'disable', 'restrict')`,
            [caseId],
          );
    const automatic = firsts?.automatic ? [{ decided_at: firsts.automatic }] : [];
    const confirmations = firsts?.confirmed ? [{ decided_at: firsts.confirmed }] : [];
    let bestSource: NoticeSourceType | null = null;
    for (const notice of notices) if (notice.status !== 'rejected') bestSource = strongerSource(bestSource, notice.source_type);
    const active = notices.filter((notice) => notice.status !== 'rejected');
    const { priority, sourceRank } = casePriority({
      category: row.category,
      sourceType: bestSource,
      band: row.flag_band,
      deprioritisedOnly: active.length > 0 && active.every((notice) => notice.deprioritised),
    });

    // An automatic removal acts on the detection, so the detection is knowledge whatever the
    // policy says about critical flags that are only queued.
    const policy: SlaPolicy = automatic.length > 0 ? { ...this.policy, automatedCriticalGivesKnowledge: true } : this.policy;
    const knowledge = establishKnowledge(
      {
        notices: notices
          .filter((notice) => notice.source_type !== 'authority-order')
          .map((notice) => ({
            noticeId: notice.id,
            receivedMs: notice.received_at.getTime(),
            qualified: notice.status === 'received' ? null : notice.status === 'qualified',
          })),
        authorityOrders: notices
          .filter((notice) => notice.source_type === 'authority-order' && notice.status !== 'rejected')
          .map((notice) => ({ receivedMs: notice.received_at.getTime(), eventId: notice.id })),
        flagConfirmations: row.first_flag_at ? confirmations.map((decision) => ({ confirmedMs: decision.decided_at.getTime() })) : [],
        automatedCritical:
          row.first_flag_at && (row.flag_band === 'critical' || automatic.length > 0) ? [{ flaggedMs: row.first_flag_at.getTime() }] : [],
      },
      policy,
    );
    const knowledgeMs = knowledge && !knowledge.provisional ? knowledge.knowledgeAtMs : null;
    const provisionalMs = knowledge?.provisional ? knowledge.provisionalFromMs : null;
    const clockStartMs = knowledgeMs ?? provisionalMs;
    const responseStartMs = row.notice_received_at?.getTime() ?? null;
    const targets =
      clockStartMs !== null || responseStartMs !== null
        ? resolveTargets(policy, {
            category: row.category,
            sourceType: bestSource,
            authorityDeadlineMs: row.authority_deadline?.getTime() ?? null,
            startMs: responseStartMs ?? (clockStartMs as number),
            knowledgeMs: clockStartMs,
          })
        : null;
    const [updated]: CaseRow[] = await updateReturning(manager,
      `UPDATE notice_and_takedown.cases SET
         priority = $2, source_rank = $3, policy_version = $4,
         knowledge_at = $5, knowledge_basis = $6, provisional_from = $7,
         response_deadline = $8, removal_deadline = $9, internal_deadline = $10, updated_at = $11
       WHERE id = $1 RETURNING *`,
      [
        caseId,
        priority,
        sourceRank,
        this.policy.version,
        knowledgeMs === null ? null : new Date(knowledgeMs),
        knowledge && !knowledge.provisional ? knowledge.basis : null,
        provisionalMs === null ? null : new Date(provisionalMs),
        responseStartMs !== null && targets ? new Date(targets.response.deadlineMs) : null,
        targets && clockStartMs !== null ? new Date(targets.removal.deadlineMs) : null,
        targets?.internalRemoval && clockStartMs !== null ? new Date(targets.internalRemoval.deadlineMs) : null,
        now,
      ],
    );
    const events: AnyEvent[] = [];
    const current = updated as CaseRow;
    if (knowledge && !knowledge.provisional && (row.knowledge_at === null || knowledge.knowledgeAtMs < row.knowledge_at.getTime())) {
      events.push(
        caseEvent(
          'case.knowledge-established',
          current,
          {
            caseId,
            knowledgeAt: new Date(knowledge.knowledgeAtMs).toISOString(),
            basis: knowledge.basis,
            basisEventId: null,
            policyVersion: this.policy.version,
          },
          { occurredAt: now, causationId },
        ),
      );
    }
    return { row: current, events };
  }

  /**
   * DSA Art. 16(5): every notifier of the case who can be reached (a key or an e-mail) is told
   * the decision and the means of redress, once per decision. Ends the response SLA.
   */
  async informNotifiers(
    manager: EntityManager,
    row: CaseRow,
    decision: { id: string; action: EventData<'notifier.informed'>['action'] },
    now: Date,
    causationId: string | null,
  ): Promise<AnyEvent[]> {
    const notices = (await this.notices(manager, row.id)).filter((notice) => notice.notifier_informed_at === null);
    const events: AnyEvent[] = [];
    const informed: string[] = [];
    for (const notice of notices) {
      // Anonymous notifiers without an e-mail cannot be told anything.
      const reachable = notice.notifier_email !== null || notice.notifier_key.startsWith('key:');
      if (!reachable) continue;
      informed.push(notice.id);
      events.push(
        caseEvent(
          'notifier.informed',
          row,
          {
            caseId: row.id,
            noticeId: notice.id,
            decisionId: decision.id,
            informedAt: iso(now),
            channel: notice.source_type === 'authority-order' ? 'authority-portal' : notice.notifier_email !== null ? 'email' : 'api',
            action: decision.action,
            redressInformationIncluded: true,
          },
          { occurredAt: now, causationId },
        ),
      );
    }
    await manager.query(
      `UPDATE notice_and_takedown.case_notices SET notifier_informed_at = $2 WHERE case_id = $1 AND notice_id = ANY($3::uuid[])`,
      [row.id, now, informed],
    );
    if (row.notifier_informed_at === null) {
      await manager.query(
        `UPDATE notice_and_takedown.cases SET notifier_informed_at = COALESCE(notifier_informed_at, $2) WHERE id = $1 AND notice_received_at IS NOT NULL`,
        [row.id, now],
      );
    }
    return events;
  }
}

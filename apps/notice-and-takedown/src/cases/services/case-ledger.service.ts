import { Inject, Injectable } from '@nestjs/common';
import { casePriority, strongerSource, type AbuseCategory, type NoticeSourceType } from '@vigie/case-rules';
import { uuidv7, type AnyEvent, type EventData } from '@vigie/contracts';
import { SERVICE_SETTINGS, updateReturning } from '@vigie/service-kit';
import { establishKnowledge, resolveTargets, type SlaPolicy } from '@vigie/sla';
import type { EntityManager } from 'typeorm';
import type { NoticeAndTakedownSettings } from '../../notice-and-takedown.settings';
import { caseEvent, iso, isoOrNull } from './case-events';
import { CATEGORY_SEVERITY, type CaseNoticeRow, type CaseRow } from './case-row';

export interface OpenedCase {
  row: CaseRow;
  opened: boolean;
  events: AnyEvent[];
}

interface RefreshRequest {
  caseId: string;
  now: Date;
  causationId: string | null;
  /** The row, when the caller already holds its lock. */
  locked?: CaseRow;
}

interface CaseFacts {
  notices: CaseNoticeRow[];
  firsts: { automatic: Date | null; confirmed: Date | null };
}

/** The facts of a case its clock depends on, besides its notices and decisions. */
type ClockFacts = Pick<CaseRow, 'category' | 'flag_band' | 'first_flag_at' | 'notice_received_at' | 'authority_deadline'>;
type ClockNotice = Pick<CaseNoticeRow, 'id' | 'received_at' | 'source_type' | 'status' | 'deprioritised'>;

/** The columns a case's clock is stored in. */
export function clockColumns(clock: ReturnType<CaseLedger['clockOf']>, now: Date) {
  const { priority, sourceRank, knowledge, knowledgeMs, provisionalMs, clockStartMs, responseStartMs, targets } = clock;
  return {
    priority,
    source_rank: sourceRank,
    knowledge_at: knowledgeMs === null ? null : new Date(knowledgeMs),
    knowledge_basis: knowledge && !knowledge.provisional ? knowledge.basis : null,
    provisional_from: provisionalMs === null ? null : new Date(provisionalMs),
    response_deadline: responseStartMs !== null && targets ? new Date(targets.response.deadlineMs) : null,
    removal_deadline: targets && clockStartMs !== null ? new Date(targets.removal.deadlineMs) : null,
    internal_deadline: targets?.internalRemoval && clockStartMs !== null ? new Date(targets.internalRemoval.deadlineMs) : null,
    updated_at: now,
  };
}

/** The columns `clockColumns` computes, but for `updated_at`. */
export const CLOCK_COLUMNS = ['priority', 'source_rank', 'knowledge_at', 'knowledge_basis', 'provisional_from', 'response_deadline', 'removal_deadline', 'internal_deadline'] as const;

function sameValue(stored: unknown, computed: unknown): boolean {
  if (stored instanceof Date || computed instanceof Date) {
    return stored instanceof Date && computed instanceof Date && stored.getTime() === computed.getTime();
  }
  return stored === computed;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export interface OpenCaseInput {
  platformId: string;
  adId: string;
  url: string | null;
  origin: CaseRow['origin'];
  category: AbuseCategory;
  /** The notice as stored (`deprioritised`: its notifier's standing when it came). */
  notice: { id: string; receivedAt: Date; sourceType: NoticeSourceType; deprioritised: boolean } | null;
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
  async openOrJoin(manager: EntityManager, input: OpenCaseInput): Promise<OpenedCase> {
    return (await this.openOrJoinMany(manager, [input]))[0] as OpenedCase;
  }

  /**
   * `openOrJoin` for several ads at once, in a fixed number of statements whatever their count
   * (a group of notices costs the round trips of one). The ads must be distinct: a second fact
   * about the same ad must see the first one's effects, so it goes in a later call. Answers in
   * the inputs' order.
   */
  async openOrJoinMany(manager: EntityManager, inputs: readonly OpenCaseInput[]): Promise<OpenedCase[]> {
    if (inputs.length === 0) return [];
    const keyOf = (platformId: string, adId: string) => JSON.stringify([platformId, adId]);
    const ordinals = new Map<string, number>();
    inputs.forEach((input, index) => ordinals.set(keyOf(input.platformId, input.adId), index));
    if (ordinals.size !== inputs.length) throw new Error('openOrJoinMany: the same ad twice in one call');
    // Rows are inserted (and locked) in (platform, ad) order, the same in every transaction, so
    // two concurrent groups wait for each other instead of deadlocking.
    const rows = inputs
      .map((input) => {
        // A case opened now knows only this input's facts: its clock is computed before the
        // insert, so only a case joined needs reading back and updating.
        const facts = {
          category: input.category,
          flag_band: input.flag?.band ?? null,
          first_flag_at: input.flag?.at ?? null,
          notice_received_at: input.notice?.receivedAt ?? null,
          authority_deadline: input.authorityDeadline,
        };
        const notices: ClockNotice[] = input.notice
          ? [{ id: input.notice.id, received_at: input.notice.receivedAt, source_type: input.notice.sourceType, status: 'received', deprioritised: input.notice.deprioritised }]
          : [];
        return {
          id: uuidv7(),
          platform_id: input.platformId,
          ad_id: input.adId,
          ad_url: input.url,
          origin: input.origin,
          now: input.now,
          flag_score: input.flag?.score ?? null,
          flag_indicators: input.flag ? [...new Set(input.flag.indicators)].sort() : [],
          referral_suggested: input.flag?.referralSuggested ?? false,
          notice_id: input.notice?.id ?? null,
          ...facts,
          ...clockColumns(this.clockOf(facts, notices, undefined), input.now),
        };
      })
      .sort((a, b) => (a.platform_id === b.platform_id ? compare(a.ad_id, b.ad_id) : compare(a.platform_id, b.platform_id)));
    // One statement opens each case or merges the new facts into it (and locks the row): the
    // most severe category, the earliest times, the strongest flag; and links the notice.
    const upserted: (CaseRow & { inserted: boolean })[] = await manager.query(
      `WITH r AS (
         SELECT * FROM ROWS FROM (json_to_recordset($1::json) AS (
                  id uuid, platform_id text, ad_id text, ad_url text, category text, origin text, now timestamptz,
                  notice_received_at timestamptz, first_flag_at timestamptz, flag_band text, flag_score double precision,
                  flag_indicators text[], referral_suggested boolean, authority_deadline timestamptz, notice_id uuid,
                  priority text, source_rank smallint, knowledge_at timestamptz, knowledge_basis text, provisional_from timestamptz,
                  response_deadline timestamptz, removal_deadline timestamptz, internal_deadline timestamptz)) WITH ORDINALITY),
       upserted AS (
         INSERT INTO notice_and_takedown.cases AS c
           (id, platform_id, ad_id, ad_url, category, origin, priority, source_rank, status, policy_version, opened_at, updated_at,
            published_at, notice_received_at, first_flag_at, flag_band, flag_score, flag_indicators, referral_suggested, authority_deadline,
            knowledge_at, knowledge_basis, provisional_from, response_deadline, removal_deadline, internal_deadline)
         SELECT r.id, r.platform_id, r.ad_id,
                -- The ad's address as the platform sent it, when the ad is already known here (a flag or
                -- a notice by ad id carries none).
                COALESCE(r.ad_url, (SELECT a.url FROM notice_and_takedown.ads a WHERE a.platform_id = r.platform_id AND a.ad_id = r.ad_id)),
                r.category, r.origin, r.priority, r.source_rank, 'open', $2, r.now, r.now,
                (SELECT a.published_at FROM notice_and_takedown.ads a WHERE a.platform_id = r.platform_id AND a.ad_id = r.ad_id),
                r.notice_received_at, r.first_flag_at, r.flag_band, r.flag_score, r.flag_indicators, r.referral_suggested, r.authority_deadline,
                r.knowledge_at, r.knowledge_basis, r.provisional_from, r.response_deadline, r.removal_deadline, r.internal_deadline
           FROM r ORDER BY r.ordinality
         ON CONFLICT (platform_id, ad_id) DO UPDATE SET
           updated_at = excluded.updated_at,
           category = CASE WHEN array_position($3::text[], excluded.category) < array_position($3::text[], c.category)
                           THEN excluded.category ELSE c.category END,
           ad_url = COALESCE(c.ad_url, excluded.ad_url),
           notice_received_at = LEAST(c.notice_received_at, excluded.notice_received_at),
           first_flag_at = LEAST(c.first_flag_at, excluded.first_flag_at),
           flag_band = CASE WHEN excluded.flag_band IS NULL THEN c.flag_band WHEN c.flag_band = 'critical' THEN 'critical' ELSE excluded.flag_band END,
           flag_score = GREATEST(c.flag_score, excluded.flag_score),
           flag_indicators = ARRAY(SELECT DISTINCT unnest(c.flag_indicators || excluded.flag_indicators) ORDER BY 1),
           referral_suggested = c.referral_suggested OR excluded.referral_suggested,
           authority_deadline = LEAST(c.authority_deadline, excluded.authority_deadline)
         RETURNING *, (xmax = 0) AS inserted),
       linked AS (
         INSERT INTO notice_and_takedown.case_notices (case_id, notice_id, joined_at)
         SELECT u.id, r.notice_id, r.now FROM upserted u JOIN r ON r.platform_id = u.platform_id AND r.ad_id = u.ad_id
          WHERE r.notice_id IS NOT NULL
         ON CONFLICT DO NOTHING)
       SELECT * FROM upserted`,
      [JSON.stringify(rows), this.policy.version, CATEGORY_SEVERITY],
    );
    const byInput: (CaseRow & { inserted: boolean })[] = new Array(inputs.length);
    for (const row of upserted) byInput[ordinals.get(keyOf(row.platform_id, row.ad_id)) as number] = row;
    // A joined case gathers facts this input did not bring: its clock is recomputed from all of them.
    const joined = inputs.flatMap((input, index) => {
      const { inserted, ...row } = byInput[index] as CaseRow & { inserted: boolean };
      return inserted ? [] : [{ index, request: { caseId: row.id, now: input.now, causationId: input.causationId, locked: row } }];
    });
    const refreshed: ({ row: CaseRow; events: AnyEvent[] } | undefined)[] = new Array(inputs.length);
    (await this.refreshMany(manager, joined.map(({ request }) => request))).forEach((result, position) => {
      refreshed[(joined[position] as { index: number }).index] = result;
    });
    return inputs.map((input, index) => {
      const { inserted: opened, ...row } = byInput[index] as CaseRow & { inserted: boolean };
      const current = refreshed[index]?.row ?? row;
      const events: AnyEvent[] = [];
      if (opened) {
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
        if (current.knowledge_at && current.knowledge_basis) {
          events.push(this.knowledgeEstablished(current, current.knowledge_at.getTime(), current.knowledge_basis, input.now, input.causationId));
        }
      }
      events.push(...(refreshed[index]?.events ?? []));
      return { row: current, opened, events };
    });
  }

  async lock(manager: EntityManager, caseId: string): Promise<CaseRow | undefined> {
    const [row]: CaseRow[] = await manager.query(`SELECT * FROM notice_and_takedown.cases WHERE id = $1 FOR UPDATE`, [caseId]);
    return row;
  }

  async notices(manager: EntityManager, caseId: string): Promise<CaseNoticeRow[]> {
    return (await this.factsOf(manager, [caseId])).get(caseId)?.notices ?? [];
  }

  /**
   * The notices of each case, oldest first, and its first automatic and first human removal
   * (both are knowledge facts), in one query.
   *
   * `forClock` reads only the oldest notice of each kind (source, status, notifier standing):
   * the clock depends on which kinds a case has and on the earliest (time, id) among them, so
   * it comes out the same, while a case that many notices joined no longer costs a row each.
   */
  private async factsOf(manager: EntityManager, caseIds: readonly string[], { forClock = false } = {}): Promise<Map<string, CaseFacts>> {
    const rows: (Partial<CaseNoticeRow> & { case_id: string; automatic: Date | null; confirmed: Date | null })[] = await manager.query(
      `SELECT c.case_id, d.automatic, d.confirmed,
              n.id, n.received_at, n.source_type, n.status, n.notifier_email, n.notifier_key, n.deprioritised,
              n.authority_order, n.channel, n.notifier_informed_at
         FROM unnest($1::uuid[]) AS c (case_id)
         CROSS JOIN LATERAL (
                SELECT min(decided_at) FILTER (WHERE decided_by_kind = 'system') AS automatic,
                       min(decided_at) FILTER (WHERE decided_by_kind = 'moderator') AS confirmed
                  FROM notice_and_takedown.decisions
                 WHERE case_id = c.case_id AND action IN ('remove', 'disable', 'restrict')) AS d
         LEFT JOIN LATERAL (
                SELECT ${forClock ? 'DISTINCT ON (n.source_type, n.status, n.deprioritised)' : ''}
                       n.id, n.received_at, n.source_type, n.status, n.notifier_email, n.notifier_key, n.deprioritised,
                       n.authority_order, n.channel, cn.notifier_informed_at
                  FROM notice_and_takedown.case_notices cn
                  JOIN notice_and_takedown.notices n ON n.id = cn.notice_id
                 WHERE cn.case_id = c.case_id
                 ORDER BY ${forClock ? 'n.source_type, n.status, n.deprioritised, ' : ''}n.received_at, n.id) AS n ON true
        ORDER BY n.received_at, n.id`,
      [caseIds],
    );
    const byCase = new Map<string, CaseFacts>();
    for (const { case_id: caseId, automatic, confirmed, ...notice } of rows) {
      let facts = byCase.get(caseId);
      if (!facts) byCase.set(caseId, (facts = { notices: [], firsts: { automatic, confirmed } }));
      if (notice.id) facts.notices.push(notice as CaseNoticeRow);
    }
    return byCase;
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
    known: { locked?: CaseRow } = {},
  ): Promise<{ row: CaseRow; events: AnyEvent[] }> {
    return (await this.refreshMany(manager, [{ caseId, now, causationId, ...known }]))[0] as { row: CaseRow; events: AnyEvent[] };
  }

  /** `refresh` for distinct cases in a fixed number of statements; answers in the requests' order. */
  private async refreshMany(manager: EntityManager, requests: readonly RefreshRequest[]): Promise<{ row: CaseRow; events: AnyEvent[] }[]> {
    if (requests.length === 0) return [];
    const caseIds = requests.map((request) => request.caseId);
    const unlocked = requests.filter((request) => !request.locked).map((request) => request.caseId);
    const lockedRows = new Map<string, CaseRow>();
    if (unlocked.length > 0) {
      const rows: CaseRow[] = await manager.query(
        `SELECT * FROM notice_and_takedown.cases WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
        [unlocked],
      );
      for (const row of rows) lockedRows.set(row.id, row);
    }
    const factsByCase = await this.factsOf(manager, caseIds, { forClock: true });
    const computed = requests.map((request) => {
      const row = request.locked ?? (lockedRows.get(request.caseId) as CaseRow);
      const facts = factsByCase.get(request.caseId);
      return { request, row, clock: this.clockOf(row, facts?.notices ?? [], facts?.firsts) };
    });
    // Only cases whose clock changed are written: a notice joining a case that already has an
    // older one of its kind (the common duplicate) changes nothing, and the row stays as read.
    const updates = computed
      .map(({ request, row, clock }) => ({ row, columns: { id: request.caseId, ...clockColumns(clock, request.now) } }))
      .filter(({ row, columns }) => row.policy_version !== this.policy.version || CLOCK_COLUMNS.some((column) => !sameValue(row[column], columns[column])))
      .map(({ columns }) => columns);
    const updated: CaseRow[] = updates.length === 0 ? [] : await updateReturning(manager,
      `UPDATE notice_and_takedown.cases AS c SET
         priority = u.priority, source_rank = u.source_rank, policy_version = $2,
         knowledge_at = u.knowledge_at, knowledge_basis = u.knowledge_basis, provisional_from = u.provisional_from,
         response_deadline = u.response_deadline, removal_deadline = u.removal_deadline, internal_deadline = u.internal_deadline,
         updated_at = u.updated_at
         FROM json_to_recordset($1::json) AS u(
                id uuid, priority text, source_rank smallint, knowledge_at timestamptz, knowledge_basis text, provisional_from timestamptz,
                response_deadline timestamptz, removal_deadline timestamptz, internal_deadline timestamptz, updated_at timestamptz)
        WHERE c.id = u.id
       RETURNING c.*`,
      [JSON.stringify(updates), this.policy.version],
    );
    const updatedById = new Map(updated.map((row) => [row.id, row]));
    return computed.map(({ request, row, clock: { knowledge } }) => {
      const current = updatedById.get(request.caseId) ?? row;
      const events: AnyEvent[] = [];
      if (knowledge && !knowledge.provisional && (row.knowledge_at === null || knowledge.knowledgeAtMs < row.knowledge_at.getTime())) {
        events.push(this.knowledgeEstablished(current, knowledge.knowledgeAtMs, knowledge.basis, request.now, request.causationId));
      }
      return { row: current, events };
    });
  }

  private knowledgeEstablished(current: CaseRow, knowledgeAtMs: number, basis: string, now: Date, causationId: string | null): AnyEvent {
    return caseEvent(
      'case.knowledge-established',
      current,
      {
        caseId: current.id,
        knowledgeAt: new Date(knowledgeAtMs).toISOString(),
        basis: basis as EventData<'case.knowledge-established'>['basis'],
        basisEventId: null,
        policyVersion: this.policy.version,
      },
      { occurredAt: now, causationId },
    );
  }

  /** Priority, knowledge and deadlines of a case from its stored facts (no I/O). */
  private clockOf(row: ClockFacts, notices: readonly ClockNotice[], firsts: { automatic: Date | null; confirmed: Date | null } | undefined) {
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
    return { priority, sourceRank, knowledge, knowledgeMs, provisionalMs, clockStartMs, responseStartMs, targets };
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

import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SERVICE_LOGGER } from '@vigie/service-kit';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import { AlertPlanner } from '../../alerts/services/alert-planner.service';
import {
  applyToCase,
  applyToNotice,
  applyToSubject,
  deriveCase,
  emptyCase,
  emptyNotice,
  emptySubject,
  isCaseEvent,
  isLinkedNotice,
  keysOf,
  type CaseDoc,
  type DerivedCase,
  type LogRecord,
  type LoggedEvent,
  type NoticeDoc,
  type SubjectDoc,
} from './case-projection';
import { ProjectionSettingsProvider } from './projection-settings';

export const PROJECTOR_NAME = 'cases';

/** Tables the projector owns entirely: a rebuild empties them and replays the log. */
const PROJECTION_TABLES = ['case_facts', 'subject_facts', 'notice_facts', 'statements_of_reasons'];

const SUBJECT_EVENT_TYPES = new Set(['ad.ingested', 'ad.updated', 'ad.scored', 'ad.rescored', 'ad.removed']);
const NOTICE_EVENT_TYPES = new Set(['notice.received', 'notice.acknowledged', 'notice.qualified', 'notice.rejected']);

interface LogRow {
  position: string;
  event_id: string;
  type: string;
  subject: string;
  tenant: string;
  canonical: string;
  broker_ms: number | null;
  recorded_ms: number;
}

/**
 * Tails `audit.log` by position and keeps the case, notice and subject projections (and the SLA
 * alert schedule) up to date. Each batch and the projector's position commit in one transaction,
 * so a crash or restart resumes exactly where the last commit left off.
 */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;
  /** Set for good by the shutdown (`stopped` is also true before the start, when rebuild() may run). */
  private shuttingDown = false;
  /** A hole in positions (a writer's transaction still open, or rolled back) and since when. */
  private gap: { after: number; since: number } | undefined;
  /** Holes at or below this position were already waited for once: a replay skips them at once. */
  private settledUpTo = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: ProjectionSettingsProvider,
    private readonly planner: AlertPlanner,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.settings.value.projectorEnabled) return;
    this.stopped = false;
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.shuttingDown = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Runs a pass now instead of waiting for the next poll (e.g. when the log grew). */
  wake(): void {
    if (!this.stopped && this.running === undefined) this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.catchUp()
        .catch((error: Error & { code?: string }) => {
          // Until the log's own migration exists there is nothing to tail; say so once in a while, quietly.
          if (error.code === '42P01') this.logger.debug({ err: error }, 'audit.log does not exist yet');
          else this.logger.error({ err: error }, 'projection batch failed; retrying');
        })
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.schedule(this.settings.value.projectorPollMs);
        });
    }, delayMs);
  }

  /**
   * Applies batches until the log has nothing new, or the service is stopping (a shutdown waits
   * for the batch in flight, not for a backlog of millions); returns how many were applied.
   */
  async catchUp(): Promise<number> {
    let total = 0;
    for (;;) {
      const applied = await this.runBatch();
      total += applied;
      if (applied === 0 || this.shuttingDown) return total;
    }
  }

  /** The position the projections reflect. */
  async position(): Promise<number> {
    const rows: { position: string }[] = await this.dataSource.query(`SELECT position FROM audit.projection_progress WHERE projector = $1`, [PROJECTOR_NAME]);
    return rows.length === 0 ? 0 : Number(rows[0].position);
  }

  /**
   * Empties the projections and replays the log from position 0, while holding the projector's
   * row lock so no batch interleaves. The alert schedule is kept: alerts already sent stay sent.
   */
  async rebuild(): Promise<{ position: number; applied: number }> {
    await this.dataSource.transaction(async (manager) => {
      this.settledUpTo = Math.max(this.settledUpTo, await this.lockProgress(manager));
      await manager.query(`TRUNCATE ${PROJECTION_TABLES.map((table) => `audit.${table}`).join(', ')}`);
      await manager.query(`UPDATE audit.projection_progress SET position = 0, updated_at = now() WHERE projector = $1`, [PROJECTOR_NAME]);
    });
    this.gap = undefined;
    const applied = await this.catchUp();
    return { position: await this.position(), applied };
  }

  private async lockProgress(manager: EntityManager): Promise<number> {
    await manager.query(`INSERT INTO audit.projection_progress (projector, position) VALUES ($1, 0) ON CONFLICT (projector) DO NOTHING`, [PROJECTOR_NAME]);
    const rows: { position: string }[] = await manager.query(`SELECT position FROM audit.projection_progress WHERE projector = $1 FOR UPDATE`, [PROJECTOR_NAME]);
    return Number(rows[0].position);
  }

  /** One transaction: read the next records after the stored position, apply them, move the position. */
  async runBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const from = await this.lockProgress(manager);
      const rows: LogRow[] = await manager.query(
        `SELECT position, event_id, type, subject, tenant, canonical::text AS canonical,
                (extract(epoch FROM broker_at) * 1000)::float8 AS broker_ms,
                (extract(epoch FROM recorded_at) * 1000)::float8 AS recorded_ms
           FROM audit.log WHERE position > $1 ORDER BY position LIMIT $2`,
        [from, this.settings.value.projectorBatchSize],
      );
      const contiguous = this.contiguousPrefix(from, rows);
      if (contiguous.length === 0) return 0;
      const records = contiguous.map(toRecord);
      await this.apply(manager, records);
      const last = records[records.length - 1].position;
      await manager.query(`UPDATE audit.projection_progress SET position = $2, updated_at = now() WHERE projector = $1`, [PROJECTOR_NAME, last]);
      return records.length;
    });
  }

  /**
   * Positions are handed out before writers commit, so a hole may be a transaction still in
   * flight: wait for it a little (reading past it would skip its records for ever), then accept
   * that it rolled back.
   */
  private contiguousPrefix(from: number, rows: LogRow[]): LogRow[] {
    const prefix: LogRow[] = [];
    let expected = from + 1;
    for (const row of rows) {
      const position = Number(row.position);
      if (position !== expected && position > this.settledUpTo) {
        if (prefix.length > 0) break;
        const now = Date.now();
        if (this.gap === undefined || this.gap.after !== from) this.gap = { after: from, since: now };
        if (now - this.gap.since < this.settings.value.projectorGapWaitMs) break;
        this.logger.warn({ after: from, next: position }, 'skipping a hole in log positions (rolled back)');
      }
      prefix.push(row);
      expected = position + 1;
    }
    if (prefix.length > 0) this.gap = undefined;
    this.settledUpTo = Math.max(this.settledUpTo, expected - 1);
    return prefix;
  }

  private async apply(manager: EntityManager, records: LogRecord[]): Promise<void> {
    const settings = this.settings.projection;
    const caseIds = new Set<string>();
    const noticeIds = new Set<string>();
    const subjects = new Set<string>();
    const subjectEventSubjects = new Set<string>();
    for (const record of records) {
      const keys = keysOf(record);
      if (isCaseEvent(record.type)) keys.caseIds.forEach((id) => caseIds.add(id));
      keys.noticeIds.forEach((id) => noticeIds.add(id));
      subjects.add(record.subject);
      if (SUBJECT_EVENT_TYPES.has(record.type)) subjectEventSubjects.add(record.subject);
    }

    const cases = new Map<string, CaseDoc>();
    // Three lookups, one index probe per key (a case found twice is kept once below). Joined by
    // OR, or with subjects and notices as arrays, the planner read every case for each batch
    // whenever it expected many cases per key: always without statistics (autovacuum off or
    // behind), and with them for a batch naming many notices. `OFFSET 0` keeps each lateral
    // lookup a per-key probe the planner cannot turn into a scan of the table.
    const caseRows: { facts: CaseDoc }[] = await manager.query(
      `SELECT facts FROM audit.case_facts WHERE case_id = ANY($1)
       UNION ALL
       SELECT c.facts FROM unnest($2::text[]) AS s(subject)
         CROSS JOIN LATERAL (SELECT facts FROM audit.case_facts WHERE subject = s.subject OFFSET 0) c
       UNION ALL
       SELECT c.facts FROM unnest($3::text[]) AS n(notice_id)
         CROSS JOIN LATERAL (SELECT facts FROM audit.case_facts WHERE notice_ids @> ARRAY[n.notice_id] OFFSET 0) c`,
      [[...caseIds], [...subjectEventSubjects], [...noticeIds]],
    );
    // Cases by subject, kept with `cases`: a batch's subject events (most of its events) each
    // look up their subject's cases, and a scan of every case per event grew with the square of
    // the batch.
    const casesBySubject = new Map<string, CaseDoc[]>();
    const addCase = (doc: CaseDoc) => {
      if (cases.has(doc.caseId)) return;
      cases.set(doc.caseId, doc);
      const list = casesBySubject.get(doc.subject);
      if (list) list.push(doc);
      else casesBySubject.set(doc.subject, [doc]);
    };
    for (const { facts } of caseRows) addCase(facts);
    const notices = await this.loadNotices(manager, noticeIds);
    const subjectDocs = await this.loadSubjects(manager, subjects);

    const dirtyCases = new Set<string>();
    const dirtyNotices = new Set<string>();
    const dirtySubjects = new Set<string>();
    const statements: { record: LogRecord; doc: CaseDoc }[] = [];
    const casesOfSubject = (subject: string): readonly CaseDoc[] => casesBySubject.get(subject) ?? [];

    for (const record of records) {
      const data = record.event.data ?? {};
      if (SUBJECT_EVENT_TYPES.has(record.type)) {
        let subject = subjectDocs.get(record.subject);
        if (!subject) subjectDocs.set(record.subject, (subject = emptySubject(record.subject, record.tenant)));
        if (applyToSubject(subject, record, settings)) {
          dirtySubjects.add(record.subject);
          for (const doc of casesOfSubject(record.subject)) dirtyCases.add(doc.caseId);
        }
        continue;
      }
      if (NOTICE_EVENT_TYPES.has(record.type)) {
        const noticeId = String(data.noticeId);
        let notice = notices.get(noticeId);
        if (!notice) notices.set(noticeId, (notice = emptyNotice(noticeId, record.tenant, record.subject)));
        applyToNotice(notice, record, settings);
        dirtyNotices.add(noticeId);
        for (const doc of cases.values()) {
          if (isLinkedNotice(doc, notice)) {
            applyToCase(doc, record, settings);
            dirtyCases.add(doc.caseId);
          }
        }
        continue;
      }
      if (!isCaseEvent(record.type) || typeof data.caseId !== 'string') continue;
      let doc = cases.get(data.caseId);
      if (!doc) addCase((doc = emptyCase(data.caseId, record)));
      applyToCase(doc, record, settings);
      dirtyCases.add(doc.caseId);
      if (record.type === 'uploader.informed') statements.push({ record, doc });
    }

    // Notices a case names but this batch did not touch are still needed to derive it; only
    // their facts, not their timeline entries (read-only here, they are not written back).
    const missingNotices = new Set<string>();
    for (const id of dirtyCases) for (const noticeId of cases.get(id)?.noticeIds ?? []) if (!notices.has(noticeId)) missingNotices.add(noticeId);
    for (const [id, notice] of await this.loadNotices(manager, missingNotices, { withEvents: false })) notices.set(id, notice);
    // Each case's notices: those it names, and those that name it.
    const noticesByCase = new Map<string, NoticeDoc[]>();
    for (const notice of notices.values()) {
      for (const caseId of notice.caseIds) {
        const list = noticesByCase.get(caseId);
        if (list) list.push(notice);
        else noticesByCase.set(caseId, [notice]);
      }
    }
    const missingSubjects = new Set<string>();
    for (const id of dirtyCases) {
      const subject = cases.get(id)?.subject;
      if (subject && !subjectDocs.has(subject)) missingSubjects.add(subject);
    }
    for (const [subject, doc] of await this.loadSubjects(manager, missingSubjects)) subjectDocs.set(subject, doc);

    const derived: DerivedCase[] = [];
    for (const id of [...dirtyCases].sort()) {
      const doc = cases.get(id) as CaseDoc;
      const linked = new Set(noticesByCase.get(id));
      for (const noticeId of doc.noticeIds) {
        const notice = notices.get(noticeId);
        if (notice) linked.add(notice);
      }
      derived.push(deriveCase(doc, subjectDocs.get(doc.subject) ?? null, [...linked], settings));
    }
    await this.upsertCases(manager, derived.map((d) => d.row));
    await this.upsertSubjects(manager, [...dirtySubjects].map((subject) => subjectDocs.get(subject) as SubjectDoc));
    await this.upsertNotices(manager, [...dirtyNotices].map((id) => notices.get(id) as NoticeDoc));
    for (const { record, doc } of statements) await this.recordStatement(manager, record, doc);
    await this.planner.plan(manager, derived);
  }

  private async loadNotices(manager: EntityManager, ids: Set<string>, { withEvents = true } = {}): Promise<Map<string, NoticeDoc>> {
    const found = new Map<string, NoticeDoc>();
    if (ids.size === 0) return found;
    const rows: { facts: NoticeDoc }[] = await manager.query(
      withEvents
        ? `SELECT facts FROM audit.notice_facts WHERE notice_id = ANY($1)`
        : `SELECT jsonb_set(facts, '{events}', '[]') AS facts FROM audit.notice_facts WHERE notice_id = ANY($1)`,
      [[...ids]],
    );
    for (const { facts } of rows) found.set(facts.noticeId, facts);
    return found;
  }

  private async loadSubjects(manager: EntityManager, subjects: Set<string>): Promise<Map<string, SubjectDoc>> {
    const found = new Map<string, SubjectDoc>();
    if (subjects.size === 0) return found;
    const rows: { facts: SubjectDoc }[] = await manager.query(`SELECT facts FROM audit.subject_facts WHERE subject = ANY($1)`, [[...subjects]]);
    for (const { facts } of rows) found.set(facts.subject, facts);
    return found;
  }

  private async upsertCases(manager: EntityManager, rows: Record<string, unknown>[]): Promise<void> {
    if (rows.length === 0) return;
    const columns = Object.keys(rows[0]);
    await manager.query(
      `INSERT INTO audit.case_facts (${columns.join(', ')})
       SELECT ${columns.join(', ')} FROM jsonb_populate_recordset(NULL::audit.case_facts, $1::jsonb)
       ON CONFLICT (case_id) DO UPDATE SET (${columns.join(', ')}) = (${columns.map((c) => `EXCLUDED.${c}`).join(', ')})`,
      [JSON.stringify(rows)],
    );
  }

  private async upsertSubjects(manager: EntityManager, docs: SubjectDoc[]): Promise<void> {
    if (docs.length === 0) return;
    await manager.query(
      `INSERT INTO audit.subject_facts (subject, tenant, facts)
       SELECT d->>'subject', d->>'tenant', d FROM jsonb_array_elements($1::jsonb) d
       ON CONFLICT (subject) DO UPDATE SET facts = EXCLUDED.facts`,
      [JSON.stringify(docs)],
    );
  }

  private async upsertNotices(manager: EntityManager, docs: NoticeDoc[]): Promise<void> {
    if (docs.length === 0) return;
    const rows = docs.map((doc) => ({
      notice_id: doc.noticeId,
      tenant: doc.tenant,
      subject: doc.subject,
      received_at: doc.receivedAt,
      category: doc.category,
      source_type: doc.sourceType,
      trusted_flagger: doc.trustedFlagger,
      qualified: doc.qualified,
      rejection_reason: doc.rejectionReason,
      case_ids: doc.caseIds,
      facts: doc,
    }));
    const columns = Object.keys(rows[0]);
    await manager.query(
      `INSERT INTO audit.notice_facts (${columns.join(', ')})
       SELECT ${columns.join(', ')} FROM jsonb_populate_recordset(NULL::audit.notice_facts, $1::jsonb)
       ON CONFLICT (notice_id) DO UPDATE SET (${columns.join(', ')}) = (${columns.map((c) => `EXCLUDED.${c}`).join(', ')})`,
      [JSON.stringify(rows)],
    );
  }

  /**
   * The statement of reasons as the uploader received it. A second statement with the same
   * puid on the same platform is not overwritten (the Transparency Database refuses reuse): it
   * is noted so the export reports it.
   */
  private async recordStatement(manager: EntityManager, record: LogRecord, doc: CaseDoc): Promise<void> {
    const data = record.event.data;
    const statement = data.statementOfReasons as { puid?: string } | undefined;
    if (!statement || typeof statement.puid !== 'string') return;
    await manager.query(
      `INSERT INTO audit.statements_of_reasons (tenant, puid, case_id, decision_id, informed_at, statement, position)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)
       ON CONFLICT (tenant, puid) DO UPDATE
         SET conflicting_event_ids = audit.statements_of_reasons.conflicting_event_ids || $8::text
         WHERE audit.statements_of_reasons.case_id <> EXCLUDED.case_id OR audit.statements_of_reasons.decision_id <> EXCLUDED.decision_id`,
      [doc.tenant, statement.puid, doc.caseId, String(data.decisionId), String(data.informedAt), JSON.stringify(statement), record.position, record.eventId],
    );
  }
}

function toRecord(row: LogRow): LogRecord {
  // `canonical` is the hashed audit entry ({v, seq, event, broker, recordedAt}); a bare event is accepted too.
  const parsed = JSON.parse(row.canonical) as { event?: LoggedEvent } & LoggedEvent;
  const event = parsed.event ?? parsed;
  return {
    position: Number(row.position),
    eventId: row.event_id,
    type: row.type,
    subject: row.subject,
    tenant: row.tenant,
    event: { ...event, data: event.data ?? {} },
    occurredMs: Date.parse(event.occurredAt),
    brokerMs: row.broker_ms === null ? null : Math.round(row.broker_ms),
    recordedMs: Math.round(row.recorded_ms),
  };
}

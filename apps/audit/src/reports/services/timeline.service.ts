import { Injectable } from '@nestjs/common';
import { verifySubjectChain } from '@vigie/audit-chain';
import type { Caller } from '@vigie/service-kit';
import { evaluateSla, toEpochMs } from '@vigie/sla';
import { DataSource } from 'typeorm';
import { pausesOf } from '../../alerts/services/alert-plan';
import { liveState, type CaseDoc, type NoticeDoc, type SlaColumns, type StoredAnomaly, type SubjectDoc, type TimelineEntry } from '../../projections/services/case-projection';
import { ReportException, ReportExceptionCode } from '../exceptions/report.exception';
import { canSee } from './report-scope';

export interface TimelineFact extends TimelineEntry {
  /** `fact`: an event in the log; `marker`: derived (knowledge, deadlines). */
  readonly kind: 'fact' | 'marker';
  readonly label: string;
  /** The W3C trace id the event travelled in (its `traceparent`), when it had one; null for markers. */
  traceId: string | null;
}

export interface SlaView {
  readonly state: string | null;
  readonly applicable: boolean;
  readonly startedAt: string | null;
  readonly deadline: string | null;
  readonly endedAt: string | null;
  readonly targetMs: number | null;
  readonly elapsedMs: number | null;
  readonly pausedMs: number | null;
  readonly shareOfWindow: number | null;
}

export interface ChainStatus {
  readonly status: 'verified' | 'broken' | 'unknown';
  readonly subject: string;
  readonly records: number;
  readonly findings: readonly { kind: string; detail: string; eventId?: string }[];
}

export interface CaseTimeline {
  readonly caseId: string;
  readonly platformId: string;
  readonly platformAdId: string;
  readonly category: string;
  readonly source: string;
  readonly policyVersion: string | null;
  readonly policyApplied: string;
  readonly clock: Record<string, string | null>;
  readonly knowledge: { at: string | null; basis: string | null; provisional: boolean };
  readonly decision: { action: string | null; ground: string | null; automatedDetection: boolean | null; automatedDecision: string | null };
  readonly sla: { response: SlaView; removal: SlaView };
  readonly entries: TimelineFact[];
  readonly anomalies: StoredAnomaly[];
  readonly chain: ChainStatus;
  readonly evaluatedAt: string;
}

const LABELS: Record<string, string> = {
  'ad.ingested': 'ad published',
  'ad.updated': 'ad changed',
  'ad.scored': 'automated assessment',
  'ad.rescored': 'automated re-assessment',
  'ad.removed': 'ad removed (platform stream)',
  'notice.received': 'notice received',
  'notice.acknowledged': 'receipt confirmed to the notifier',
  'notice.qualified': 'notice judged sufficient',
  'notice.rejected': 'notice rejected',
  'case.opened': 'case opened',
  'case.knowledge-established': 'knowledge established',
  'case.clock-paused': 'clock paused',
  'case.clock-resumed': 'clock resumed',
  'case.claimed': 'claimed by a moderator',
  'case.decided': 'decision',
  'case.referred': 'referred to law enforcement (Art. 18)',
  'case.appeal-received': 'appeal received',
  'case.appeal-decided': 'appeal decided',
  'case.closed': 'case closed',
  'uploader.informed': 'statement of reasons sent to the uploader',
  'notifier.informed': 'notifier informed of the decision',
  'takedown.requested': 'takedown command',
  'reinstatement.requested': 'reinstatement command',
  'takedown.delivered': 'command delivered',
  'takedown.delivery-failed': 'command delivery failed',
  'takedown.confirmed': 'removal confirmed by the platform',
  'takedown.verified': 'removal verified independently',
  'takedown.verification-failed': 'verification failed',
};

/** One case's story: its facts in time order, the knowledge marker, deadlines and the chain's state. */
@Injectable()
export class TimelineService {
  constructor(private readonly dataSource: DataSource) {}

  async timeline(caseId: string, caller: Caller, nowMs = Date.now()): Promise<CaseTimeline> {
    const rows: { c: Record<string, unknown> & { facts: CaseDoc } }[] = await this.dataSource.query(
      `SELECT to_jsonb(c) AS c FROM audit.case_facts c WHERE case_id = $1`,
      [caseId],
    );
    const raw = rows[0]?.c;
    // to_jsonb writes timestamps as `…+00:00`: answer in the events' own `…Z` form.
    const row = raw && (Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, key.endsWith('_at') || key.endsWith('_deadline') || key.endsWith('_since') ? isoOf(value) : value])) as typeof raw);
    if (!row || !canSee(caller, String(row.tenant))) throw new ReportException(ReportExceptionCode.CASE_NOT_FOUND, `no case "${caseId}"`);
    const doc = row.facts;
    const [subjects, notices] = await Promise.all([
      this.dataSource.query(`SELECT facts FROM audit.subject_facts WHERE subject = $1`, [doc.subject]) as Promise<{ facts: SubjectDoc }[]>,
      this.dataSource.query(`SELECT facts FROM audit.notice_facts WHERE notice_id = ANY($1) OR case_ids @> ARRAY[$2::text]`, [doc.noticeIds, caseId]) as Promise<{ facts: NoticeDoc }[]>,
    ]);
    const seen = new Set<string>();
    const entries: TimelineFact[] = [];
    for (const entry of [...doc.events, ...(subjects[0]?.facts.events ?? []), ...notices.flatMap((n) => n.facts.events)]) {
      if (seen.has(entry.eventId)) continue;
      seen.add(entry.eventId);
      entries.push({ ...entry, kind: 'fact', label: LABELS[entry.type] ?? entry.type, traceId: null });
    }
    if (entries.length > 0) {
      const traced: { event_id: string; trace_id: string }[] = await this.dataSource.query(
        `SELECT event_id::text, trace_id FROM audit.log WHERE event_id = ANY($1::uuid[]) AND trace_id IS NOT NULL`,
        [entries.map((entry) => entry.eventId)],
      );
      const traceIds = new Map(traced.map((row) => [row.event_id, row.trace_id]));
      for (const entry of entries) entry.traceId = traceIds.get(entry.eventId) ?? null;
    }
    const marker = (type: string, at: unknown, label: string) => {
      if (typeof at === 'string') entries.push({ position: 0, eventId: '', type, at, occurredAt: at, source: 'audit', kind: 'marker', label, traceId: null });
    };
    marker('knowledge', row.knowledge_at, `knowledge (${row.knowledge_basis ?? 'unknown basis'})${row.knowledge_provisional ? ', provisional' : ''}`);
    marker('response-deadline', row.response_deadline, 'response deadline');
    marker('removal-deadline', row.removal_deadline, 'removal deadline');
    entries.sort((a, b) => toEpochMs(a.at) - toEpochMs(b.at) || a.position - b.position || a.type.localeCompare(b.type));

    const slaView = (kind: 'response' | 'removal'): SlaView => {
      const columns = Object.fromEntries(
        ['applicable', 'started_at', 'ended_at', 'target_ms', 'deadline', 'warn_at', 'paused_since', 'final_state', 'elapsed_ms', 'paused_ms'].map((key) => [key, row[`${kind}_${key}`]]),
      ) as unknown as SlaColumns;
      let evaluation = null;
      if (columns.applicable && columns.started_at && columns.target_ms) {
        evaluation = evaluateSla({
          kind,
          startMs: toEpochMs(columns.started_at),
          endMs: columns.ended_at ? toEpochMs(columns.ended_at) : null,
          targetMs: Number(columns.target_ms),
          pauses: pausesOf(doc, kind),
          nowMs,
          warningShares: [0.5],
        });
      }
      return {
        state: liveState(columns, nowMs),
        applicable: columns.applicable,
        startedAt: columns.started_at,
        deadline: evaluation?.deadlineMs ? new Date(evaluation.deadlineMs).toISOString() : columns.deadline,
        endedAt: columns.ended_at,
        targetMs: columns.target_ms === null ? null : Number(columns.target_ms),
        elapsedMs: evaluation ? Math.round(evaluation.elapsedMs) : null,
        pausedMs: evaluation ? Math.round(evaluation.pausedMs) : null,
        shareOfWindow: evaluation ? evaluation.shareOfWindow : null,
      };
    };
    const clock = Object.fromEntries(
      [
        ['publishedAt', 'published_at'],
        ['firstFlagAt', 'first_flag_at'],
        ['noticeReceivedAt', 'notice_received_at'],
        ['knowledgeAt', 'knowledge_at'],
        ['decidedAt', 'decided_at'],
        ['notifierInformedAt', 'notifier_informed_at'],
        ['uploaderInformedAt', 'uploader_informed_at'],
        ['takedownRequestedAt', 'takedown_requested_at'],
        ['removedAt', 'removed_at'],
        ['verifiedAt', 'verified_at'],
        ['referredAt', 'referred_at'],
        ['closedAt', 'closed_at'],
      ].map(([name, column]) => [name, (row[column] as string | null) ?? null]),
    );
    return {
      caseId,
      platformId: String(row.tenant),
      platformAdId: String(row.platform_ad_id),
      category: String(row.category),
      source: String(row.source_type),
      policyVersion: (row.policy_version as string | null) ?? null,
      policyApplied: String(row.policy_applied),
      clock,
      knowledge: { at: (row.knowledge_at as string | null) ?? null, basis: (row.knowledge_basis as string | null) ?? null, provisional: row.knowledge_provisional === true },
      decision: {
        action: (row.action as string | null) ?? null,
        ground: (row.ground as string | null) ?? null,
        automatedDetection: (row.automated_detection as boolean | null) ?? null,
        automatedDecision: (row.automated_decision as string | null) ?? null,
      },
      sla: { response: slaView('response'), removal: slaView('removal') },
      entries,
      anomalies: row.anomalies as StoredAnomaly[],
      chain: await this.chainStatus(doc.subject),
      evaluatedAt: new Date(nowMs).toISOString(),
    };
  }

  /** Whether the subject's hash chain in the log verifies; `unknown` when it cannot be read. */
  private async chainStatus(subject: string): Promise<ChainStatus> {
    try {
      const records: { position: string; subject: string; seq: string; canonical: string; prev_hash: string; hash: string }[] = await this.dataSource.query(
        `SELECT position::text, subject, seq, canonical, prev_hash, hash FROM audit.log WHERE subject = $1 ORDER BY seq`,
        [subject],
      );
      const findings = verifySubjectChain(
        subject,
        records.map((r) => ({ position: r.position, subject: r.subject, seq: Number(r.seq), canonical: r.canonical, prevHash: r.prev_hash, hash: r.hash })),
      );
      return {
        status: findings.length === 0 ? 'verified' : 'broken',
        subject,
        records: records.length,
        findings: findings.map((f) => ({ kind: f.kind, detail: f.detail, ...(f.eventId ? { eventId: f.eventId } : {}) })),
      };
    } catch {
      return { status: 'unknown', subject, records: 0, findings: [] };
    }
  }
}

function isoOf(value: unknown): unknown {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value).toISOString() : value;
}

export function timelineCsv(timeline: CaseTimeline): { header: string[]; rows: unknown[][] } {
  return {
    header: ['at', 'kind', 'type', 'label', 'source', 'event_id', 'position', 'occurred_at', 'trace_id'],
    rows: timeline.entries.map((e) => [e.at, e.kind, e.type, e.label, e.source, e.eventId, e.position || '', e.occurredAt, e.traceId ?? '']),
  };
}

import {
  DEFAULT_SLA_POLICY,
  detectClockAnomalies,
  effectiveDeadline,
  establishKnowledge,
  evaluateSla,
  resolveTargets,
  toEpochMs,
  type AbuseCategory,
  type ClockAnomaly,
  type ClockPause,
  type KnowledgeFacts,
  type NoticeSourceType,
  type SlaKind,
  type SlaPolicy,
} from '@vigie/sla';

/**
 * Pure projection of log records into per-subject, per-notice and per-case fact documents, and
 * of those documents into the `case_facts` row. No I/O and no clock: every time comes from the
 * log (business time for the SLA math, the audit's recording time as "now" for anomaly checks),
 * so replaying the log from position 0 gives byte-identical rows.
 */

/** One row of `audit.log`, its `canonical` JSON parsed. */
export interface LogRecord {
  readonly position: number;
  readonly eventId: string;
  readonly type: string;
  readonly subject: string;
  readonly tenant: string;
  readonly event: LoggedEvent;
  readonly occurredMs: number;
  readonly brokerMs: number | null;
  readonly recordedMs: number;
}

export interface LoggedEvent {
  readonly id: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly tenant: string;
  readonly subject: string;
  readonly correlationId: string | null;
  readonly source: string;
  readonly data: Record<string, unknown>;
}

export interface TimelineEntry {
  readonly position: number;
  readonly eventId: string;
  readonly type: string;
  /** When the fact happened (the event's own timestamp for it, else `occurredAt`). */
  readonly at: string;
  readonly occurredAt: string;
  readonly source: string;
}

/** A clock anomaly (the codes of `@vigie/sla` plus `unknown-policy-version`) and the event that showed it. */
export interface StoredAnomaly {
  readonly code: ClockAnomaly['code'] | 'unknown-policy-version';
  readonly detail: string;
  readonly fields: readonly string[];
  readonly eventId: string | null;
}

export interface SubjectDoc {
  subject: string;
  tenant: string;
  publishedAt: string | null;
  firstFlagAt: string | null;
  criticalFlags: { at: string; eventId: string }[];
  removals: { at: string; eventId: string; by: string }[];
  events: TimelineEntry[];
  anomalies: StoredAnomaly[];
}

export interface NoticeDoc {
  noticeId: string;
  tenant: string;
  subject: string;
  receivedAt: string | null;
  category: string | null;
  sourceType: NoticeSourceType | null;
  trustedFlagger: boolean;
  authorityDeadline: string | null;
  qualified: boolean | null;
  rejectionReason: string | null;
  caseIds: string[];
  events: TimelineEntry[];
  anomalies: StoredAnomaly[];
}

export interface DecisionFact {
  decisionId: string;
  decidedAt: string;
  action: string;
  ground: string | null;
  automatedDetection: boolean;
  automatedDecision: string;
  accountAction: string;
  referralRequired: boolean;
}

export interface PauseFact {
  pauseId: string;
  startAt: string;
  endAt: string | null;
  reason: string;
  slas: SlaKind[];
}

export interface AppealFact {
  appealId: string;
  receivedAt: string;
  appellant: string;
  outcome: string | null;
  decidedAt: string | null;
}

export interface CaseDoc {
  caseId: string;
  tenant: string;
  subject: string;
  platformAdId: string;
  openedAt: string | null;
  origin: string | null;
  category: AbuseCategory | null;
  policyVersion: string | null;
  noticeIds: string[];
  noticeSourceType: NoticeSourceType | null;
  noticeReceivedAt: string | null;
  publishedAt: string | null;
  firstFlagAt: string | null;
  knowledge: { at: string; basis: string; eventId: string; basisEventId: string | null }[];
  decisions: DecisionFact[];
  notifierInformedAt: string | null;
  uploaderInformedAt: string | null;
  takedownRequestedAt: string | null;
  confirmations: { at: string; eventId: string }[];
  verifiedAt: string | null;
  referredAt: string | null;
  closedAt: string | null;
  outcome: string | null;
  pauses: PauseFact[];
  appeals: AppealFact[];
  /** Latest recording time of any event of the case: the reference "now" of anomaly checks. */
  lastRecordedAt: string;
  lastPosition: number;
  events: TimelineEntry[];
  anomalies: StoredAnomaly[];
}

export interface ProjectionSettings {
  readonly policies: ReadonlyMap<string, SlaPolicy>;
  readonly defaultPolicy: SlaPolicy;
  readonly maxSkewMs: number;
}

export const DEFAULT_PROJECTION_SETTINGS: ProjectionSettings = {
  policies: new Map([[DEFAULT_SLA_POLICY.version, DEFAULT_SLA_POLICY]]),
  defaultPolicy: DEFAULT_SLA_POLICY,
  maxSkewMs: 5 * 60_000,
};

/** Keeps a subject's history bounded: an ad updated every minute must not grow one row forever. */
const MAX_SUBJECT_EVENTS = 200;

/**
 * Each case's notice ids as a set, built on first use and kept while the document lives (one
 * batch). A case can gather thousands of notices (an ad many people report): searching its list
 * for every notice event, and again for every notice when it is derived, grew with the square of
 * its notices.
 */
const noticeIdSets = new WeakMap<CaseDoc, Set<string>>();

function noticeIdSetOf(doc: CaseDoc): Set<string> {
  let set = noticeIdSets.get(doc);
  if (set === undefined) noticeIdSets.set(doc, (set = new Set(doc.noticeIds)));
  return set;
}

function addNoticeId(doc: CaseDoc, noticeId: unknown): void {
  if (typeof noticeId !== 'string' || noticeId.length === 0) return;
  const set = noticeIdSetOf(doc);
  if (set.has(noticeId)) return;
  set.add(noticeId);
  doc.noticeIds.push(noticeId);
}

/** Whether a notice belongs to a case: the case names it, or the notice names the case. */
export function isLinkedNotice(doc: CaseDoc, notice: NoticeDoc): boolean {
  return noticeIdSetOf(doc).has(notice.noticeId) || notice.caseIds.includes(doc.caseId);
}

/**
 * The order in which a case reads its notices (the first with a source type or category gives
 * the case's): earliest received first, then by id. It depends on the notices alone, so a
 * rebuild finds the same first notice as the batches that projected the log as it grew.
 */
export function compareNotices(a: NoticeDoc, b: NoticeDoc): number {
  if (a.receivedAt !== b.receivedAt) {
    if (a.receivedAt === null) return 1;
    if (b.receivedAt === null) return -1;
    const difference = toEpochMs(a.receivedAt) - toEpochMs(b.receivedAt);
    if (difference !== 0) return difference;
  }
  return a.noticeId < b.noticeId ? -1 : a.noticeId > b.noticeId ? 1 : 0;
}

/** Which documents one record touches, so a batch loads them all before applying. */
export interface RecordKeys {
  readonly caseIds: string[];
  readonly noticeIds: string[];
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export function keysOf(record: LogRecord): RecordKeys {
  const data = record.event.data ?? {};
  const caseIds = new Set<string>();
  const noticeIds = new Set<string>();
  const caseId = str(data.caseId);
  if (caseId) caseIds.add(caseId);
  if (Array.isArray(data.caseIds)) for (const id of data.caseIds) if (typeof id === 'string') caseIds.add(id);
  const noticeId = str(data.noticeId);
  if (noticeId) noticeIds.add(noticeId);
  return { caseIds: [...caseIds], noticeIds: [...noticeIds] };
}

export function emptySubject(subject: string, tenant: string): SubjectDoc {
  return { subject, tenant, publishedAt: null, firstFlagAt: null, criticalFlags: [], removals: [], events: [], anomalies: [] };
}

export function emptyNotice(noticeId: string, tenant: string, subject: string): NoticeDoc {
  return {
    noticeId,
    tenant,
    subject,
    receivedAt: null,
    category: null,
    sourceType: null,
    trustedFlagger: false,
    authorityDeadline: null,
    qualified: null,
    rejectionReason: null,
    caseIds: [],
    events: [],
    anomalies: [],
  };
}

export function emptyCase(caseId: string, record: LogRecord): CaseDoc {
  const separator = record.subject.indexOf(':');
  return {
    caseId,
    tenant: record.tenant,
    subject: record.subject,
    platformAdId: separator >= 0 ? record.subject.slice(separator + 1) : record.subject,
    openedAt: null,
    origin: null,
    category: null,
    policyVersion: null,
    noticeIds: [],
    noticeSourceType: null,
    noticeReceivedAt: null,
    publishedAt: null,
    firstFlagAt: null,
    knowledge: [],
    decisions: [],
    notifierInformedAt: null,
    uploaderInformedAt: null,
    takedownRequestedAt: null,
    confirmations: [],
    verifiedAt: null,
    referredAt: null,
    closedAt: null,
    outcome: null,
    pauses: [],
    appeals: [],
    lastRecordedAt: new Date(record.recordedMs).toISOString(),
    lastPosition: record.position,
    events: [],
    anomalies: [],
  };
}

/** The earlier of two ISO timestamps (they compare as strings: same format, UTC, ms). */
export function earliest(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return toEpochMs(b) < toEpochMs(a) ? b : a;
}

function entry(record: LogRecord, at: unknown): TimelineEntry {
  return {
    position: record.position,
    eventId: record.eventId,
    type: record.type,
    at: str(at) ?? record.event.occurredAt,
    occurredAt: record.event.occurredAt,
    source: record.event.source,
  };
}

/** Skew between business, broker and recording time of one event, and times after its recording. */
export function recordAnomalies(record: LogRecord, settings: ProjectionSettings): StoredAnomaly[] {
  return detectClockAnomalies({
    occurredMs: record.occurredMs,
    brokerMs: record.brokerMs,
    recordedMs: record.recordedMs,
    nowMs: record.recordedMs,
    maxSkewMs: settings.maxSkewMs,
  }).map((anomaly) => ({ ...anomaly, eventId: record.eventId }));
}

/** The fact time an event carries for the timeline, by type. */
const FACT_TIME_FIELD: Record<string, string> = {
  'ad.ingested': 'publishedAt',
  'ad.removed': 'removedAt',
  'notice.received': 'receivedAt',
  'notice.acknowledged': 'acknowledgedAt',
  'notice.qualified': 'qualifiedAt',
  'notice.rejected': 'rejectedAt',
  'case.opened': 'openedAt',
  'case.knowledge-established': 'knowledgeAt',
  'case.clock-paused': 'pausedAt',
  'case.clock-resumed': 'resumedAt',
  'case.claimed': 'claimedAt',
  'case.decided': 'decidedAt',
  'case.referred': 'referredAt',
  'case.appeal-received': 'receivedAt',
  'case.appeal-decided': 'decidedAt',
  'case.closed': 'closedAt',
  'uploader.informed': 'informedAt',
  'notifier.informed': 'informedAt',
  'takedown.delivered': 'deliveredAt',
  'takedown.delivery-failed': 'failedAt',
  'takedown.confirmed': 'confirmedAt',
  'takedown.verified': 'verifiedAt',
  'takedown.verification-failed': 'failedAt',
};

export function factTimeOf(record: LogRecord): string {
  const field = FACT_TIME_FIELD[record.type];
  return (field ? str(record.event.data[field]) : null) ?? record.event.occurredAt;
}

/** Ad-level facts: publication, automated flags, removals seen in the platform's stream. */
export function applyToSubject(doc: SubjectDoc, record: LogRecord, settings: ProjectionSettings): boolean {
  const data = record.event.data;
  let relevant = true;
  switch (record.type) {
    case 'ad.ingested':
    case 'ad.updated':
      doc.publishedAt = earliest(doc.publishedAt, str(data.publishedAt) ?? record.event.occurredAt);
      relevant = record.type === 'ad.ingested';
      break;
    case 'ad.scored':
    case 'ad.rescored':
      if (data.band === 'high' || data.band === 'critical') doc.firstFlagAt = earliest(doc.firstFlagAt, record.event.occurredAt);
      if (data.band === 'critical' && doc.criticalFlags.length < 20) {
        doc.criticalFlags.push({ at: record.event.occurredAt, eventId: record.eventId });
      }
      break;
    case 'ad.removed':
      if (doc.removals.length < 20) {
        doc.removals.push({ at: str(data.removedAt) ?? record.event.occurredAt, eventId: record.eventId, by: str(data.removedBy) ?? 'unknown' });
      }
      break;
    default:
      return false;
  }
  if (relevant && doc.events.length < MAX_SUBJECT_EVENTS) {
    doc.events.push(entry(record, factTimeOf(record)));
    doc.anomalies.push(...recordAnomalies(record, settings));
  }
  return true;
}

export function applyToNotice(doc: NoticeDoc, record: LogRecord, settings: ProjectionSettings): boolean {
  const data = record.event.data;
  switch (record.type) {
    case 'notice.received': {
      doc.receivedAt = str(data.receivedAt);
      doc.category = str(data.category);
      doc.sourceType = str(data.sourceType) as NoticeSourceType | null;
      const notifier = data.notifier as { trustedFlaggerId?: string | null } | null;
      doc.trustedFlagger = doc.sourceType === 'trusted-flagger' || Boolean(notifier?.trustedFlaggerId);
      const order = data.authorityOrder as { deadline?: string } | null;
      doc.authorityDeadline = order?.deadline ?? null;
      break;
    }
    case 'notice.qualified':
      doc.qualified = true;
      doc.receivedAt ??= str(data.receivedAt);
      for (const id of (data.caseIds as string[]) ?? []) if (!doc.caseIds.includes(id)) doc.caseIds.push(id);
      break;
    case 'notice.rejected':
      doc.qualified = false;
      doc.rejectionReason = str(data.reason);
      break;
    case 'notice.acknowledged':
      break;
    default:
      return false;
  }
  doc.events.push(entry(record, factTimeOf(record)));
  doc.anomalies.push(...recordAnomalies(record, settings));
  return true;
}

const CASE_EVENT_TYPES = new Set([
  'case.opened',
  'case.knowledge-established',
  'case.clock-paused',
  'case.clock-resumed',
  'case.claimed',
  'case.decided',
  'case.referred',
  'case.appeal-received',
  'case.appeal-decided',
  'case.closed',
  'uploader.informed',
  'notifier.informed',
  'takedown.requested',
  'reinstatement.requested',
  'takedown.delivered',
  'takedown.delivery-failed',
  'takedown.confirmed',
  'takedown.verified',
  'takedown.verification-failed',
  'notice.qualified',
  'notice.rejected',
  'notice.received',
  'notice.acknowledged',
]);

export function isCaseEvent(type: string): boolean {
  return CASE_EVENT_TYPES.has(type);
}

/** Case-level facts. Notice events only link the notice here; their facts and timeline entries live on the notice. */
export function applyToCase(doc: CaseDoc, record: LogRecord, settings: ProjectionSettings): void {
  const data = record.event.data;
  const at = (field: string) => str(data[field]) ?? record.event.occurredAt;
  switch (record.type) {
    case 'case.opened':
      doc.openedAt = at('openedAt');
      doc.platformAdId = str(data.platformAdId) ?? doc.platformAdId;
      doc.origin = str(data.origin);
      doc.category = str(data.category) as AbuseCategory | null;
      doc.policyVersion = str(data.policyVersion);
      doc.noticeSourceType = str(data.noticeSourceType) as NoticeSourceType | null;
      doc.noticeReceivedAt = str(data.noticeReceivedAt);
      doc.firstFlagAt = earliest(doc.firstFlagAt, str(data.firstFlagAt));
      doc.publishedAt = earliest(doc.publishedAt, str(data.publishedAt));
      addNoticeId(doc, data.noticeId);
      break;
    case 'case.knowledge-established':
      doc.knowledge.push({ at: at('knowledgeAt'), basis: str(data.basis) ?? 'notice-qualified', eventId: record.eventId, basisEventId: str(data.basisEventId) });
      doc.policyVersion ??= str(data.policyVersion);
      break;
    case 'case.clock-paused': {
      const existing = doc.pauses.find((pause) => pause.pauseId === data.pauseId);
      if (existing) existing.startAt = at('pausedAt');
      else doc.pauses.push({ pauseId: String(data.pauseId), startAt: at('pausedAt'), endAt: null, reason: String(data.reason), slas: (data.slas as SlaKind[]) ?? [] });
      break;
    }
    case 'case.clock-resumed': {
      const existing = doc.pauses.find((pause) => pause.pauseId === data.pauseId);
      // A resume without its pause (a partial import) still tells both ends of the interval.
      if (existing) existing.endAt = at('resumedAt');
      else doc.pauses.push({ pauseId: String(data.pauseId), startAt: at('pausedAt'), endAt: at('resumedAt'), reason: 'unknown', slas: (data.slas as SlaKind[]) ?? [] });
      break;
    }
    case 'case.decided':
      doc.decisions.push({
        decisionId: String(data.decisionId),
        decidedAt: at('decidedAt'),
        action: String(data.action),
        ground: str(data.ground),
        automatedDetection: data.automatedDetection === true,
        automatedDecision: str(data.automatedDecision) ?? 'not-automated',
        accountAction: str(data.accountAction) ?? 'none',
        referralRequired: data.referralRequired === true,
      });
      doc.decisions.sort((a, b) => toEpochMs(a.decidedAt) - toEpochMs(b.decidedAt) || a.decisionId.localeCompare(b.decisionId));
      doc.policyVersion ??= str(data.policyVersion);
      break;
    case 'case.referred':
      doc.referredAt = earliest(doc.referredAt, at('referredAt'));
      break;
    case 'case.appeal-received':
      if (!doc.appeals.some((appeal) => appeal.appealId === data.appealId)) {
        doc.appeals.push({ appealId: String(data.appealId), receivedAt: at('receivedAt'), appellant: String(data.appellant), outcome: null, decidedAt: null });
      }
      break;
    case 'case.appeal-decided': {
      let appeal = doc.appeals.find((candidate) => candidate.appealId === data.appealId);
      if (!appeal) {
        appeal = { appealId: String(data.appealId), receivedAt: at('decidedAt'), appellant: 'unknown', outcome: null, decidedAt: null };
        doc.appeals.push(appeal);
      }
      appeal.outcome = str(data.outcome);
      appeal.decidedAt = at('decidedAt');
      break;
    }
    case 'case.closed':
      doc.closedAt = at('closedAt');
      doc.outcome = str(data.outcome);
      break;
    case 'uploader.informed':
      doc.uploaderInformedAt = earliest(doc.uploaderInformedAt, at('informedAt'));
      break;
    case 'notifier.informed':
      doc.notifierInformedAt = earliest(doc.notifierInformedAt, at('informedAt'));
      addNoticeId(doc, data.noticeId);
      break;
    case 'takedown.requested':
      doc.takedownRequestedAt = earliest(doc.takedownRequestedAt, record.event.occurredAt);
      break;
    case 'takedown.confirmed':
      if (data.action !== 'reinstate') doc.confirmations.push({ at: at('confirmedAt'), eventId: record.eventId });
      break;
    case 'takedown.verified': {
      const probe = data.probe as { outcome?: string } | undefined;
      if (probe?.outcome !== 'reinstated') doc.verifiedAt = earliest(doc.verifiedAt, at('verifiedAt'));
      break;
    }
    case 'notice.qualified':
    case 'notice.rejected':
    case 'notice.received':
    case 'notice.acknowledged':
      addNoticeId(doc, data.noticeId);
      break;
    default:
      break;
  }
  // A notice keeps its own timeline entries and anomalies, and the timeline and the derivation
  // read them there: copied onto the case as well, a case reported thousands of times carried
  // (and rewrote, every batch) thousands of duplicates.
  if (!record.type.startsWith('notice.')) {
    doc.events.push(entry(record, factTimeOf(record)));
    doc.anomalies.push(...recordAnomalies(record, settings));
  }
  if (record.recordedMs > toEpochMs(doc.lastRecordedAt)) doc.lastRecordedAt = new Date(record.recordedMs).toISOString();
  doc.lastPosition = Math.max(doc.lastPosition, record.position);
}

/** The SLA columns of one kind, all derived from facts: the live state is completed at read time. */
export interface SlaColumns {
  applicable: boolean;
  started_at: string | null;
  ended_at: string | null;
  target_ms: number | null;
  /** The deadline pushed by closed pauses (and, once ended, by every pause before the end). */
  deadline: string | null;
  /** When the first warning share is reached, pushed like the deadline. */
  warn_at: string | null;
  /** Start of a pause still running: the deadline moves while it runs. */
  paused_since: string | null;
  final_state: 'met' | 'breached' | null;
  elapsed_ms: number | null;
  paused_ms: number | null;
}

export interface DerivedCase {
  readonly row: Record<string, unknown>;
  readonly sla: Record<'response' | 'removal', SlaColumns>;
  readonly policy: SlaPolicy;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const ms = (value: string | null): number | null => (value === null ? null : toEpochMs(value));

function minIso(values: (string | null)[]): string | null {
  return values.reduce<string | null>((best, value) => earliest(best, value), null);
}

export function policyFor(doc: CaseDoc, settings: ProjectionSettings): { policy: SlaPolicy; known: boolean } {
  if (doc.policyVersion === null) return { policy: settings.defaultPolicy, known: true };
  const policy = settings.policies.get(doc.policyVersion);
  return policy ? { policy, known: true } : { policy: settings.defaultPolicy, known: false };
}

function slaColumns(
  startMs: number | null,
  endMs: number | null,
  targetMs: number,
  pauses: readonly ClockPause[],
  warningShares: readonly number[],
  applicable: boolean,
): SlaColumns {
  if (!applicable || startMs === null) {
    return { applicable: false, started_at: iso(startMs), ended_at: iso(endMs), target_ms: targetMs, deadline: null, warn_at: null, paused_since: null, final_state: null, elapsed_ms: null, paused_ms: null };
  }
  const closed = pauses.filter((pause) => pause.endMs !== null);
  const openPause = pauses.filter((pause) => pause.endMs === null && (endMs === null || pause.startMs < endMs)).map((pause) => pause.startMs);
  const firstShare = [...warningShares].sort((a, b) => a - b)[0] ?? 1;
  if (endMs !== null) {
    const evaluation = evaluateSla({ kind: 'removal', startMs, endMs, targetMs, pauses, nowMs: endMs, warningShares });
    return {
      applicable: true,
      started_at: iso(startMs),
      ended_at: iso(endMs),
      target_ms: targetMs,
      deadline: iso(evaluation.deadlineMs),
      warn_at: iso(effectiveDeadline(startMs, targetMs * firstShare, pauses, endMs)),
      paused_since: null,
      final_state: evaluation.state === 'met' ? 'met' : 'breached',
      elapsed_ms: evaluation.elapsedMs,
      paused_ms: evaluation.pausedMs,
    };
  }
  return {
    applicable: true,
    started_at: iso(startMs),
    ended_at: null,
    target_ms: targetMs,
    deadline: iso(effectiveDeadline(startMs, targetMs, closed, startMs)),
    warn_at: iso(effectiveDeadline(startMs, targetMs * firstShare, closed, startMs)),
    paused_since: openPause.length > 0 ? iso(Math.min(...openPause)) : null,
    final_state: null,
    elapsed_ms: null,
    paused_ms: null,
  };
}

const NO_REMOVAL_ACTIONS = new Set(['no-action', 'insufficient']);

/** Everything the `case_facts` row holds, from the case's documents. */
export function deriveCase(doc: CaseDoc, subject: SubjectDoc | null, notices: readonly NoticeDoc[], settings: ProjectionSettings): DerivedCase {
  const { policy: basePolicy, known } = policyFor(doc, settings);
  const linked = notices.filter((notice) => isLinkedNotice(doc, notice)).sort(compareNotices);
  const sourceType = doc.noticeSourceType ?? linked.find((notice) => notice.sourceType !== null)?.sourceType ?? null;
  const category = (doc.category ?? (linked.find((notice) => notice.category !== null)?.category as AbuseCategory | undefined) ?? 'other-illegal') as AbuseCategory;
  const noticeReceivedAt = minIso([doc.noticeReceivedAt, ...linked.map((notice) => notice.receivedAt)]);
  const publishedAt = earliest(doc.publishedAt, subject?.publishedAt ?? null);
  const firstFlagAt = earliest(doc.firstFlagAt, subject?.firstFlagAt ?? null);
  const removedAt = minIso([...doc.confirmations.map((c) => c.at), ...(subject?.removals.map((r) => r.at) ?? [])]);
  const decision = doc.decisions[0] ?? null;

  // Knowledge, recomputed from every fact the log holds (not just the knowledge event), so a
  // late qualification or authority order re-dates it.
  const hasAutomatedKnowledgeEvent = doc.knowledge.some((k) => k.basis === 'automated-critical');
  const policy: SlaPolicy = hasAutomatedKnowledgeEvent ? { ...basePolicy, automatedCriticalGivesKnowledge: true } : basePolicy;
  const facts: KnowledgeFacts = {
    notices: [
      ...linked
        .filter((notice) => notice.receivedAt !== null && notice.sourceType !== 'authority-order')
        .map((notice) => ({ noticeId: notice.noticeId, receivedMs: toEpochMs(notice.receivedAt as string), qualified: notice.qualified })),
      ...(linked.length === 0 && doc.noticeReceivedAt !== null && doc.noticeSourceType !== 'authority-order'
        ? [{ noticeId: doc.noticeIds[0] ?? doc.caseId, receivedMs: toEpochMs(doc.noticeReceivedAt), qualified: null }]
        : []),
      ...doc.knowledge
        .filter((k) => k.basis === 'notice-qualified')
        .map((k) => ({ noticeId: k.basisEventId ?? k.eventId, receivedMs: toEpochMs(k.at), qualified: true })),
    ],
    authorityOrders: [
      ...linked
        .filter((notice) => notice.receivedAt !== null && notice.sourceType === 'authority-order' && notice.qualified !== false)
        .map((notice) => ({ receivedMs: toEpochMs(notice.receivedAt as string), eventId: notice.noticeId })),
      ...(linked.length === 0 && doc.noticeReceivedAt !== null && doc.noticeSourceType === 'authority-order'
        ? [{ receivedMs: toEpochMs(doc.noticeReceivedAt), eventId: doc.noticeIds[0] ?? doc.caseId }]
        : []),
      ...doc.knowledge.filter((k) => k.basis === 'authority-order').map((k) => ({ receivedMs: toEpochMs(k.at), eventId: k.eventId })),
    ],
    flagConfirmations: doc.knowledge.filter((k) => k.basis === 'flag-confirmed').map((k) => ({ confirmedMs: toEpochMs(k.at), eventId: k.eventId })),
    automatedCritical: [
      ...doc.knowledge.filter((k) => k.basis === 'automated-critical').map((k) => ({ flaggedMs: toEpochMs(k.at), eventId: k.eventId })),
      ...(subject?.criticalFlags.map((flag) => ({ flaggedMs: toEpochMs(flag.at), eventId: flag.eventId })) ?? []),
    ],
  };
  const knowledge = establishKnowledge(facts, policy);
  const knowledgeMs = knowledge === null ? null : knowledge.provisional ? knowledge.provisionalFromMs : knowledge.knowledgeAtMs;
  const noticeMs = ms(noticeReceivedAt);
  const authorityDeadline = linked.map((notice) => notice.authorityDeadline).find((deadline) => deadline !== null) ?? null;
  // Without its opening event (a partial import), a case opened with its first known fact.
  const openedAt = doc.openedAt ?? minIso([...doc.events.map((e) => e.at), noticeReceivedAt]) ?? doc.lastRecordedAt;
  const targets = resolveTargets(policy, {
    category,
    sourceType,
    authorityDeadlineMs: ms(authorityDeadline),
    startMs: noticeMs ?? knowledgeMs ?? toEpochMs(openedAt),
    knowledgeMs,
  });

  const pausesOf = (kind: SlaKind): ClockPause[] =>
    doc.pauses.filter((pause) => pause.slas.includes(kind)).map((pause) => ({ startMs: toEpochMs(pause.startAt), endMs: ms(pause.endAt), reason: pause.reason }));
  const noRemovalDecided = decision !== null && NO_REMOVAL_ACTIONS.has(decision.action) && removedAt === null;
  const response = slaColumns(noticeMs, ms(doc.notifierInformedAt), targets.response.targetMs, pausesOf('response'), policy.warningShares, noticeMs !== null);
  const removal = slaColumns(knowledgeMs, ms(removedAt), targets.removal.targetMs, pausesOf('removal'), policy.warningShares, knowledgeMs !== null && !noRemovalDecided);

  const anomalies: StoredAnomaly[] = [
    ...(known ? [] : [{ code: 'unknown-policy-version' as const, detail: `policy version "${doc.policyVersion}" is unknown to the audit; measured against ${policy.version}`, fields: ['policyVersion'], eventId: null }]),
    ...detectClockAnomalies({
      publishedMs: ms(publishedAt),
      noticeReceivedMs: noticeMs,
      knowledgeMs: knowledge !== null && !knowledge.provisional ? knowledge.knowledgeAtMs : null,
      decidedMs: ms(decision?.decidedAt ?? null),
      notifierInformedMs: ms(doc.notifierInformedAt),
      takedownRequestedMs: ms(doc.takedownRequestedAt),
      removedMs: ms(removedAt),
      verifiedMs: ms(doc.verifiedAt),
      pauses: doc.pauses.map((pause) => ({ startMs: toEpochMs(pause.startAt), endMs: ms(pause.endAt) })),
      nowMs: toEpochMs(doc.lastRecordedAt),
      maxSkewMs: settings.maxSkewMs,
    }).map((anomaly) => ({ ...anomaly, eventId: null })),
    ...doc.anomalies,
    ...(subject?.anomalies ?? []),
    ...linked.flatMap((notice) => notice.anomalies),
  ];

  const kindColumns = (kind: 'response' | 'removal', columns: SlaColumns) =>
    Object.fromEntries(Object.entries(columns).map(([key, value]) => [`${kind}_${key}`, value]));
  const row: Record<string, unknown> = {
    case_id: doc.caseId,
    tenant: doc.tenant,
    subject: doc.subject,
    platform_ad_id: doc.platformAdId,
    category,
    source_type: sourceType ?? 'own-initiative',
    origin: doc.origin,
    trusted_flagger: sourceType === 'trusted-flagger' || linked.some((notice) => notice.trustedFlagger),
    policy_version: doc.policyVersion,
    policy_applied: policy.version,
    notice_ids: [...doc.noticeIds].sort(),
    opened_at: openedAt,
    published_at: publishedAt,
    first_flag_at: firstFlagAt,
    notice_received_at: noticeReceivedAt,
    knowledge_at: iso(knowledgeMs),
    knowledge_basis: knowledge === null ? null : knowledge.provisional ? 'provisional' : knowledge.basis,
    knowledge_provisional: knowledge?.provisional === true,
    decided_at: decision?.decidedAt ?? null,
    notifier_informed_at: doc.notifierInformedAt,
    uploader_informed_at: doc.uploaderInformedAt,
    takedown_requested_at: doc.takedownRequestedAt,
    removed_at: removedAt,
    verified_at: doc.verifiedAt,
    referred_at: doc.referredAt,
    closed_at: doc.closedAt,
    outcome: doc.outcome,
    action: decision?.action ?? null,
    ground: decision?.ground ?? null,
    automated_detection: decision?.automatedDetection ?? null,
    automated_decision: decision?.automatedDecision ?? null,
    account_action: doc.decisions.find((d) => d.accountAction !== 'none')?.accountAction ?? decision?.accountAction ?? null,
    referral_required: doc.decisions.some((d) => d.referralRequired),
    appeals: doc.appeals.length,
    appeals_upheld: doc.appeals.filter((a) => a.outcome === 'upheld').length,
    appeals_reversed: doc.appeals.filter((a) => a.outcome === 'reversed').length,
    appeals_modified: doc.appeals.filter((a) => a.outcome === 'modified').length,
    ...kindColumns('response', response),
    ...kindColumns('removal', removal),
    anomaly_count: anomalies.length,
    anomalies,
    facts: doc,
    last_position: doc.lastPosition,
  };
  return { row, sla: { response, removal }, policy };
}

/** The live state of one SLA from its stored columns, as evaluated at `nowMs` (mirrors the SQL). */
export function liveState(columns: SlaColumns, nowMs: number): string | null {
  if (!columns.applicable) return null;
  if (columns.final_state !== null) return columns.final_state;
  const deadline = ms(columns.deadline) as number;
  if (columns.paused_since !== null) return deadline < (ms(columns.paused_since) as number) ? 'open-breached' : 'paused';
  if (nowMs > deadline) return 'open-breached';
  if (nowMs >= (ms(columns.warn_at) as number)) return 'at-risk';
  return 'open';
}

/** The SQL twin of `liveState`, over a `case_facts` row. */
export function liveStateSql(kind: 'response' | 'removal', now = 'now()'): string {
  return `(CASE WHEN NOT ${kind}_applicable THEN NULL
    WHEN ${kind}_final_state IS NOT NULL THEN ${kind}_final_state
    WHEN ${kind}_paused_since IS NOT NULL THEN CASE WHEN ${kind}_deadline < ${kind}_paused_since THEN 'open-breached' ELSE 'paused' END
    WHEN ${now} > ${kind}_deadline THEN 'open-breached'
    WHEN ${now} >= ${kind}_warn_at THEN 'at-risk'
    ELSE 'open' END)`;
}

export type LiveSlaState = 'met' | 'breached' | 'open' | 'at-risk' | 'open-breached' | 'paused';

/**
 * `liveStateSql` as one predicate per state: a row satisfies exactly the predicate of its live
 * state (none when the SLA does not apply). Counting states this way compares stored columns
 * instead of evaluating the CASE and comparing its text for every state of every row, which is
 * most of the SLA report's time over millions of cases.
 */
export function liveStatePredicatesSql(kind: 'response' | 'removal', now = 'now()'): Record<LiveSlaState, string> {
  const running = `${kind}_applicable AND ${kind}_final_state IS NULL`;
  const unpaused = `${running} AND ${kind}_paused_since IS NULL`;
  return {
    met: `(${kind}_applicable AND ${kind}_final_state = 'met')`,
    breached: `(${kind}_applicable AND ${kind}_final_state = 'breached')`,
    paused: `(${running} AND ${kind}_paused_since IS NOT NULL AND NOT coalesce(${kind}_deadline < ${kind}_paused_since, false))`,
    'open-breached': `(${running} AND CASE WHEN ${kind}_paused_since IS NOT NULL THEN ${kind}_deadline < ${kind}_paused_since ELSE ${now} > ${kind}_deadline END)`,
    'at-risk': `(${unpaused} AND NOT coalesce(${now} > ${kind}_deadline, false) AND ${now} >= ${kind}_warn_at)`,
    open: `(${unpaused} AND NOT coalesce(${now} > ${kind}_deadline, false) AND NOT coalesce(${now} >= ${kind}_warn_at, false))`,
  };
}

import type { ClockPause } from './clock';

export const CLOCK_ANOMALY_CODES = [
  'invalid-timestamp',
  'future-timestamp',
  'notice-before-publication',
  'knowledge-before-publication',
  'removal-before-publication',
  'removal-before-knowledge',
  'decision-before-notice',
  'decision-before-knowledge',
  'notifier-informed-before-decision',
  'takedown-before-decision',
  'verification-before-removal',
  'pause-inverted',
  'pause-overlap',
  'large-skew',
] as const;
export type ClockAnomalyCode = (typeof CLOCK_ANOMALY_CODES)[number];

export interface ClockAnomaly {
  readonly code: ClockAnomalyCode;
  readonly detail: string;
  /** The input fields involved. */
  readonly fields: readonly string[];
}

/** A case's timestamps (business time, epoch ms) plus one event's three clocks; omit what is unknown. */
export interface ClockFacts {
  readonly publishedMs?: number | null;
  readonly noticeReceivedMs?: number | null;
  readonly knowledgeMs?: number | null;
  readonly decidedMs?: number | null;
  readonly notifierInformedMs?: number | null;
  readonly takedownRequestedMs?: number | null;
  readonly removedMs?: number | null;
  readonly verifiedMs?: number | null;
  /** One event's business time, broker timestamp and audit recording time, compared for skew. */
  readonly occurredMs?: number | null;
  readonly brokerMs?: number | null;
  readonly recordedMs?: number | null;
  readonly pauses?: readonly ClockPause[];
  /** Reference time for "future" (normally the audit's own clock, passed in). */
  readonly nowMs: number;
  /** Tolerated clock difference between machines. */
  readonly maxSkewMs: number;
}

type TimestampField = Exclude<keyof ClockFacts, 'pauses' | 'nowMs' | 'maxSkewMs'>;

const TIMESTAMP_FIELDS: readonly TimestampField[] = [
  'publishedMs',
  'noticeReceivedMs',
  'knowledgeMs',
  'decidedMs',
  'notifierInformedMs',
  'takedownRequestedMs',
  'removedMs',
  'verifiedMs',
  'occurredMs',
  'brokerMs',
  'recordedMs',
];

/** `[code, earlier-expected field, later-expected field]`: the later one must not precede the earlier. */
const ORDER_RULES: readonly (readonly [ClockAnomalyCode, TimestampField, TimestampField])[] = [
  ['notice-before-publication', 'publishedMs', 'noticeReceivedMs'],
  ['knowledge-before-publication', 'publishedMs', 'knowledgeMs'],
  ['removal-before-publication', 'publishedMs', 'removedMs'],
  ['removal-before-knowledge', 'knowledgeMs', 'removedMs'],
  ['decision-before-notice', 'noticeReceivedMs', 'decidedMs'],
  ['decision-before-knowledge', 'knowledgeMs', 'decidedMs'],
  ['notifier-informed-before-decision', 'decidedMs', 'notifierInformedMs'],
  ['takedown-before-decision', 'decidedMs', 'takedownRequestedMs'],
  ['verification-before-removal', 'removedMs', 'verifiedMs'],
];

const SKEW_PAIRS: readonly (readonly [TimestampField, TimestampField])[] = [
  ['occurredMs', 'brokerMs'],
  ['occurredMs', 'recordedMs'],
  ['brokerMs', 'recordedMs'],
];

/**
 * Clock anomalies in a case, reported rather than corrected: the SLA math still runs on the
 * timestamps as given, and an auditor sees why a figure looks odd. Some anomalies have innocent
 * causes (a platform removing an ad on its own before any notice; a replay recording old events
 * long after they occurred, which shows as `large-skew`), so these are flags, not errors.
 * Output order is fixed (by check, then field), so the same facts always give the same list.
 */
export function detectClockAnomalies(facts: ClockFacts): ClockAnomaly[] {
  const anomalies: ClockAnomaly[] = [];
  const known = new Map<TimestampField, number>();
  for (const field of TIMESTAMP_FIELDS) {
    const value = facts[field];
    if (value === undefined || value === null) continue;
    if (Number.isFinite(value)) known.set(field, value);
    else {
      anomalies.push({ code: 'invalid-timestamp', detail: `${field} is not a finite epoch millisecond value (${value})`, fields: [field] });
    }
  }

  const latestAcceptedMs = facts.nowMs + facts.maxSkewMs;
  for (const [field, value] of known) {
    if (value > latestAcceptedMs) {
      anomalies.push({
        code: 'future-timestamp',
        detail: `${field} ${iso(value)} is ${formatDuration(value - facts.nowMs)} after now (${iso(facts.nowMs)})`,
        fields: [field],
      });
    }
  }

  for (const [code, earlierField, laterField] of ORDER_RULES) {
    const earlier = known.get(earlierField);
    const later = known.get(laterField);
    if (earlier !== undefined && later !== undefined && later < earlier) {
      anomalies.push({
        code,
        detail: `${laterField} ${iso(later)} is ${formatDuration(earlier - later)} before ${earlierField} ${iso(earlier)}`,
        fields: [earlierField, laterField],
      });
    }
  }

  const pauses = facts.pauses ?? [];
  pauses.forEach((pause, index) => {
    if (pause.endMs !== null && pause.endMs < pause.startMs) {
      anomalies.push({
        code: 'pause-inverted',
        detail: `pauses[${index}] ends (${iso(pause.endMs)}) before it starts (${iso(pause.startMs)}); it stops no time`,
        fields: [`pauses[${index}]`],
      });
    }
  });
  const ordered = pauses
    .map((pause, index) => ({ index, startMs: pause.startMs, endMs: pause.endMs ?? Number.POSITIVE_INFINITY }))
    .filter((pause) => pause.endMs > pause.startMs)
    .sort((a, b) => a.startMs - b.startMs || a.index - b.index);
  for (let i = 1, reach = ordered[0]; i < ordered.length && reach !== undefined; i++) {
    const pause = ordered[i];
    if (pause.startMs < reach.endMs) {
      anomalies.push({
        code: 'pause-overlap',
        detail: `pauses[${pause.index}] starts while pauses[${reach.index}] is still running; the overlap is counted once`,
        fields: [`pauses[${reach.index}]`, `pauses[${pause.index}]`],
      });
    }
    if (pause.endMs > reach.endMs) reach = pause;
  }

  for (const [first, second] of SKEW_PAIRS) {
    const a = known.get(first);
    const b = known.get(second);
    if (a !== undefined && b !== undefined && Math.abs(b - a) > facts.maxSkewMs) {
      anomalies.push({
        code: 'large-skew',
        detail:
          `${second} is ${formatDuration(Math.abs(b - a))} ${b >= a ? 'after' : 'before'} ${first}` +
          ` (tolerance ${formatDuration(facts.maxSkewMs)})`,
        fields: [first, second],
      });
    }
  }
  return anomalies;
}

function iso(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);
}

/** e.g. `1 h 2 min 3.5 s`: enough to read an anomaly without a calculator. */
function formatDuration(ms: number): string {
  const parts: string[] = [];
  let rest = Math.abs(ms);
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['min', 60_000],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)} ${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest / 1000} s`);
  return parts.join(' ');
}

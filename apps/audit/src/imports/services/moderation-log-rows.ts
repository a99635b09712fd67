import {
  ABUSE_CATEGORIES,
  AD_ID_PATTERN,
  DECISION_ACTIONS,
  DECISION_GROUNDS,
  NOTICE_SOURCE_TYPES,
} from '@vigie/contracts';

/**
 * One row of a platform's historical moderation log: an ad, the notice or knowledge that
 * started the clock, and what was decided and done, with the platform's own timestamps.
 * The same names are CSV headers and NDJSON keys.
 */
export interface ModerationLogRow {
  /** Data row number, 1-based (the CSV header is not counted). */
  readonly row: number;
  /** The platform's own case or ticket reference; keeps a re-import of the same row idempotent. */
  readonly reference: string | null;
  readonly adId: string;
  readonly category: (typeof ABUSE_CATEGORIES)[number];
  readonly publishedAt: string | null;
  readonly noticeReceivedAt: string | null;
  readonly noticeSource: (typeof NOTICE_SOURCE_TYPES)[number] | null;
  readonly knowledgeAt: string;
  readonly decidedAt: string | null;
  readonly decision: (typeof DECISION_ACTIONS)[number] | null;
  readonly ground: (typeof DECISION_GROUNDS)[number] | null;
  readonly legalReference: string | null;
  readonly notifierInformedAt: string | null;
  readonly removedAt: string | null;
}

export const MODERATION_LOG_COLUMNS = [
  'reference',
  'adId',
  'category',
  'publishedAt',
  'noticeReceivedAt',
  'noticeSource',
  'knowledgeAt',
  'decidedAt',
  'decision',
  'ground',
  'legalReference',
  'notifierInformedAt',
  'removedAt',
] as const;

export type ModerationLogColumn = (typeof MODERATION_LOG_COLUMNS)[number];

export interface RowError {
  readonly row: number;
  /** Line of the file the row starts on. */
  readonly line: number;
  readonly adId?: string;
  readonly field: string;
  readonly reason: string;
}

/** History older than this is not a plausible moderation log of an online ad (and a typo guard). */
const EARLIEST_MS = Date.parse('2000-01-01T00:00:00Z');
/** Platform clocks drift; a little future is tolerated, as ingest does for `removedAt`. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;
/** Zone-qualified ISO-8601: a local time without a zone is ambiguous evidence and refused. */
const ZONED_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const AD_ID = new RegExp(AD_ID_PATTERN);
const TIMESTAMP_FIELDS = ['publishedAt', 'noticeReceivedAt', 'knowledgeAt', 'decidedAt', 'notifierInformedAt', 'removedAt'] as const;
const KNOWN = new Set<string>(MODERATION_LOG_COLUMNS);

type Raw = Record<string, unknown>;

/**
 * Validates one row and normalises its timestamps to UTC with milliseconds. Returns every
 * problem of the row (field and reason), not just the first, so a platform can fix its export
 * in one pass.
 */
export function parseModerationLogRow(raw: Raw, row: number, line: number, nowMs: number): { ok: true; value: ModerationLogRow } | { ok: false; errors: RowError[] } {
  const errors: RowError[] = [];
  const adIdRaw = typeof raw.adId === 'string' ? raw.adId.trim() : raw.adId;
  const fail = (field: string, reason: string) =>
    errors.push({ row, line, ...(typeof adIdRaw === 'string' && adIdRaw !== '' ? { adId: adIdRaw.slice(0, 200) } : {}), field, reason });

  for (const key of Object.keys(raw)) if (!KNOWN.has(key)) fail(key, `unknown column; expected some of ${MODERATION_LOG_COLUMNS.join(', ')}`);

  const text = (field: ModerationLogColumn, max: number): string | null => {
    const value = raw[field];
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string') {
      fail(field, 'must be a string');
      return null;
    }
    const trimmed = value.trim();
    if (trimmed.includes('\u0000')) {
      // No PostgreSQL text can hold U+0000: refused here rather than failing the whole import.
      fail(field, 'must not contain NUL (U+0000)');
      return null;
    }
    if (trimmed.length > max) {
      fail(field, `at most ${max} characters`);
      return null;
    }
    return trimmed === '' ? null : trimmed;
  };
  const oneOf = <T extends string>(field: ModerationLogColumn, allowed: readonly T[]): T | null => {
    const value = text(field, 100);
    if (value === null) return null;
    if (!(allowed as readonly string[]).includes(value)) {
      fail(field, `one of ${allowed.join(', ')}`);
      return null;
    }
    return value as T;
  };
  const times: Partial<Record<(typeof TIMESTAMP_FIELDS)[number], string | null>> = {};
  for (const field of TIMESTAMP_FIELDS) {
    const value = text(field, 40);
    times[field] = null;
    if (value === null) continue;
    const ms = ZONED_TIMESTAMP.test(value) ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(ms)) fail(field, 'an ISO-8601 timestamp with a time zone, e.g. 2026-10-01T08:00:00Z');
    else if (ms < EARLIEST_MS) fail(field, 'before 2000-01-01');
    else if (ms > nowMs + FUTURE_TOLERANCE_MS) fail(field, `in the future (server time ${new Date(nowMs).toISOString()})`);
    else times[field] = new Date(ms).toISOString();
  }

  const reference = text('reference', 200);
  let adId: string | null = null;
  if (adIdRaw === undefined || adIdRaw === null || adIdRaw === '') fail('adId', 'required');
  else if (typeof adIdRaw !== 'string' || adIdRaw.length > 200 || !AD_ID.test(adIdRaw)) fail('adId', "the platform's ad id: 1-200 letters, digits and . _ : - characters");
  else adId = adIdRaw;
  const category = oneOf('category', ABUSE_CATEGORIES);
  if (raw.category === undefined || raw.category === null || raw.category === '') fail('category', `required: one of ${ABUSE_CATEGORIES.join(', ')}`);
  const noticeSource = oneOf('noticeSource', NOTICE_SOURCE_TYPES);
  const decision = oneOf('decision', DECISION_ACTIONS);
  const ground = oneOf('ground', DECISION_GROUNDS);
  const legalReference = text('legalReference', 500);

  const { publishedAt, noticeReceivedAt, knowledgeAt, decidedAt, notifierInformedAt, removedAt } = times;
  const before = (a: string | null | undefined, b: string | null | undefined) => a != null && b != null && a > b;
  if (noticeReceivedAt == null && knowledgeAt == null && !errors.some((e) => e.field === 'noticeReceivedAt' || e.field === 'knowledgeAt')) {
    fail('noticeReceivedAt', 'noticeReceivedAt or knowledgeAt is required: the SLA clock needs a start');
  }
  if (noticeSource !== null && noticeReceivedAt == null && !errors.some((e) => e.field === 'noticeReceivedAt')) fail('noticeReceivedAt', 'required with noticeSource');
  if ((decidedAt == null) !== (decision === null) && !errors.some((e) => e.field === 'decidedAt' || e.field === 'decision')) {
    fail(decision === null ? 'decision' : 'decidedAt', 'decidedAt and decision go together');
  }
  const clockStart = noticeReceivedAt ?? knowledgeAt;
  if (before(clockStart, decidedAt)) fail('decidedAt', 'before the notice was received (or knowledge was established)');
  if (before(decidedAt, notifierInformedAt)) fail('notifierInformedAt', 'before the decision');
  if (notifierInformedAt != null && noticeReceivedAt == null) fail('notifierInformedAt', 'only with a notice (noticeReceivedAt)');
  if (before(publishedAt, removedAt)) fail('removedAt', 'before the ad was published');
  if (before(publishedAt, noticeReceivedAt)) fail('noticeReceivedAt', 'before the ad was published');

  if (errors.length > 0 || adId === null || category === null || clockStart == null) return { ok: false, errors };
  return {
    ok: true,
    value: {
      row,
      reference,
      adId,
      category,
      publishedAt: publishedAt ?? null,
      noticeReceivedAt: noticeReceivedAt ?? null,
      noticeSource: noticeReceivedAt != null ? (noticeSource ?? 'public') : null,
      knowledgeAt: knowledgeAt ?? clockStart,
      decidedAt: decidedAt ?? null,
      decision,
      ground,
      legalReference,
      notifierInformedAt: notifierInformedAt ?? (noticeReceivedAt != null ? (decidedAt ?? null) : null),
      removedAt: removedAt ?? null,
    },
  };
}

/** A CSV record as a row object, by the header's column names (empty cells are absent values). */
export function csvRecordToRaw(header: readonly string[], fields: readonly string[]): Raw | { error: string } {
  if (fields.length !== header.length) return { error: `${fields.length} fields where the header has ${header.length}` };
  const raw: Raw = {};
  header.forEach((name, index) => {
    if (fields[index] !== '') raw[name] = fields[index];
  });
  return raw;
}

/** Checks a CSV header: known, unique column names, with adId and category present. */
export function checkCsvHeader(fields: readonly string[]): string | null {
  const names = fields.map((name) => name.trim());
  const unknown = names.filter((name) => !KNOWN.has(name));
  if (unknown.length > 0) return `unknown column(s) ${unknown.slice(0, 5).map((n) => JSON.stringify(n.slice(0, 50))).join(', ')}; expected some of ${MODERATION_LOG_COLUMNS.join(', ')}`;
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) return `column ${duplicate} appears twice`;
  for (const required of ['adId', 'category']) if (!names.includes(required)) return `the header has no ${required} column`;
  return null;
}

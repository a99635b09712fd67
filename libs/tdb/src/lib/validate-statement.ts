import {
  ISO_DATE_PATTERN,
  TDB_ACCOUNT_TYPES,
  TDB_AUTOMATED_DECISIONS,
  TDB_CONTENT_TYPES,
  TDB_DECISION_ACCOUNTS,
  TDB_DECISION_VISIBILITIES,
  TDB_KEYWORDS,
  TDB_PUID_PATTERN,
  TDB_SOURCE_TYPES,
  TDB_STATEMENT_CATEGORIES,
  TDB_TERRITORIAL_SCOPE_CODES,
} from '@vigie/contracts';

export interface StatementProblem {
  readonly field: string;
  readonly reason: string;
}

export const TDB_MAX_BATCH = 100;

const MONETARY = ['DECISION_MONETARY_SUSPENSION', 'DECISION_MONETARY_TERMINATION', 'DECISION_MONETARY_OTHER'] as const;
const PROVISION = ['DECISION_PROVISION_PARTIAL_SUSPENSION', 'DECISION_PROVISION_TOTAL_SUSPENSION', 'DECISION_PROVISION_PARTIAL_TERMINATION', 'DECISION_PROVISION_TOTAL_TERMINATION'] as const;
const GROUNDS = ['DECISION_GROUND_ILLEGAL_CONTENT', 'DECISION_GROUND_INCOMPATIBLE_CONTENT'] as const;
const YES_NO = ['Yes', 'No'] as const;
/** ISO 639-1 codes are two letters; the database wants them uppercase. */
const LANGUAGE = /^[A-Z]{2}$/;
const END_DATES = ['end_date_visibility_restriction', 'end_date_monetary_restriction', 'end_date_service_restriction', 'end_date_account_restriction'];
/** Keys the database reads on submission; `platform_name`, `permalink`… are response-only and ignored. */
const RESPONSE_ONLY = new Set(['platform_name', 'permalink', 'uuid', 'created_at', 'platform_uid']);
const KNOWN = new Set([
  'puid', 'decision_visibility', 'decision_visibility_other', 'decision_monetary', 'decision_monetary_other', 'decision_provision', 'decision_account',
  'account_type', 'decision_ground', 'decision_ground_reference_url', 'illegal_content_legal_ground', 'illegal_content_explanation',
  'incompatible_content_ground', 'incompatible_content_explanation', 'incompatible_content_illegal', 'content_type', 'content_type_other',
  'category', 'category_addition', 'category_specification', 'category_specification_other', 'territorial_scope', 'content_language',
  'content_date', 'application_date', 'decision_facts', 'source_type', 'source_identity', 'automated_detection', 'automated_decision', ...END_DATES,
]);
/** Free-text fields checked for personal data (an SoR sent to the database must carry none). */
const FREE_TEXT = ['decision_facts', 'illegal_content_explanation', 'incompatible_content_explanation', 'illegal_content_legal_ground', 'incompatible_content_ground', 'decision_visibility_other', 'decision_monetary_other', 'content_type_other', 'category_specification_other'];
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;
/** Phone numbers: +33 6 12 34 56 78, 06.12.34.56.78, 0612345678 (9+ digits with separators). */
const PHONE = /(?:\+\d{1,3}[\s.-]?)?(?:\d[\s.-]?){8,}\d/;

function isDate(value: unknown): boolean {
  if (typeof value !== 'string' || !new RegExp(ISO_DATE_PATTERN).test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/**
 * Every problem of one statement (empty: the database accepts it), checked field by field:
 * required and conditional fields, enumerations, lengths, dates, `puid`, and no personal data.
 */
export function validateStatement(statement: unknown): StatementProblem[] {
  const problems: StatementProblem[] = [];
  const add = (field: string, reason: string) => problems.push({ field, reason });
  if (statement === null || typeof statement !== 'object' || Array.isArray(statement)) return [{ field: '/', reason: 'a statement is a JSON object' }];
  const s = statement as Record<string, unknown>;
  const present = (key: string) => s[key] !== undefined && s[key] !== null && !(Array.isArray(s[key]) && (s[key] as unknown[]).length === 0);
  const oneOf = (key: string, allowed: readonly string[], required: boolean) => {
    if (!present(key)) {
      if (required) add(key, 'required');
      return;
    }
    if (typeof s[key] !== 'string' || !allowed.includes(s[key] as string)) add(key, `must be one of ${allowed.length > 8 ? `the ${allowed.length} allowed values` : allowed.join(', ')}`);
  };
  const listOf = (key: string, allowed: readonly string[], required: boolean) => {
    const value = s[key];
    if (value === undefined || value === null) {
      if (required) add(key, 'required');
      return;
    }
    if (!Array.isArray(value)) return add(key, 'must be an array');
    if (required && value.length === 0) add(key, 'must not be empty');
    value.forEach((item, index) => {
      if (typeof item !== 'string' || !allowed.includes(item)) add(`${key}/${index}`, `"${String(item)}" is not an allowed value`);
    });
    if (new Set(value).size !== value.length) add(key, 'values must be unique');
  };
  const text = (key: string, max: number, required: boolean) => {
    if (!present(key)) {
      if (required) add(key, 'required');
      return;
    }
    if (typeof s[key] !== 'string' || (s[key] as string).trim().length === 0) add(key, 'must be a non-empty string');
    else if ((s[key] as string).length > max) add(key, `at most ${max} characters`);
  };
  const date = (key: string, required: boolean) => {
    if (!present(key)) {
      if (required) add(key, 'required');
      return;
    }
    if (!isDate(s[key])) add(key, 'a calendar date YYYY-MM-DD');
  };

  for (const key of Object.keys(s)) if (!KNOWN.has(key) && !RESPONSE_ONLY.has(key)) add(key, 'unknown field');

  if (typeof s.puid !== 'string' || s.puid.length === 0) add('puid', 'required');
  else if (s.puid.length > 500) add('puid', 'at most 500 characters');
  else if (!new RegExp(TDB_PUID_PATTERN).test(s.puid)) add('puid', 'only letters, digits, "-" and "_"');

  // decision_visibility is required unless another kind of decision is given.
  const otherDecision = present('decision_monetary') || present('decision_provision') || present('decision_account');
  listOf('decision_visibility', TDB_DECISION_VISIBILITIES, !otherDecision);
  if (Array.isArray(s.decision_visibility) && s.decision_visibility.includes('DECISION_VISIBILITY_OTHER')) text('decision_visibility_other', 500, true);
  oneOf('decision_monetary', MONETARY, false);
  if (s.decision_monetary === 'DECISION_MONETARY_OTHER') text('decision_monetary_other', 500, true);
  oneOf('decision_provision', PROVISION, false);
  oneOf('decision_account', TDB_DECISION_ACCOUNTS, false);
  oneOf('account_type', TDB_ACCOUNT_TYPES, false);

  oneOf('decision_ground', GROUNDS, true);
  if (s.decision_ground === 'DECISION_GROUND_ILLEGAL_CONTENT') {
    text('illegal_content_legal_ground', 500, true);
    text('illegal_content_explanation', 2000, true);
  } else if (s.decision_ground === 'DECISION_GROUND_INCOMPATIBLE_CONTENT') {
    text('incompatible_content_ground', 500, true);
    text('incompatible_content_explanation', 2000, true);
    oneOf('incompatible_content_illegal', YES_NO, false);
  }
  if (present('decision_ground_reference_url') && (typeof s.decision_ground_reference_url !== 'string' || !/^https?:\/\/\S+$/.test(s.decision_ground_reference_url) || s.decision_ground_reference_url.length > 500)) {
    add('decision_ground_reference_url', 'an http(s) URL of at most 500 characters');
  }

  listOf('content_type', TDB_CONTENT_TYPES, true);
  if (Array.isArray(s.content_type) && s.content_type.includes('CONTENT_TYPE_OTHER')) text('content_type_other', 500, true);
  oneOf('category', TDB_STATEMENT_CATEGORIES, true);
  listOf('category_specification', TDB_KEYWORDS, false);
  if (Array.isArray(s.category_specification) && s.category_specification.includes('KEYWORD_OTHER')) text('category_specification_other', 500, true);
  listOf('territorial_scope', TDB_TERRITORIAL_SCOPE_CODES, false);
  if (present('content_language') && (typeof s.content_language !== 'string' || !LANGUAGE.test(s.content_language))) add('content_language', 'an uppercase ISO 639-1 code, e.g. FR');

  date('content_date', true);
  date('application_date', true);
  for (const key of END_DATES) date(key, false);
  text('decision_facts', 5000, true);

  oneOf('source_type', TDB_SOURCE_TYPES, true);
  if (present('source_identity')) {
    if (s.source_type === 'SOURCE_VOLUNTARY') add('source_identity', 'not allowed with SOURCE_VOLUNTARY');
    // Vigie never sends a notifier's identity to the database.
    else add('source_identity', 'personal data: the notifier is not named in an exported statement');
  }
  oneOf('automated_detection', YES_NO, true);
  oneOf('automated_decision', TDB_AUTOMATED_DECISIONS, true);

  for (const key of FREE_TEXT) {
    const value = s[key];
    if (typeof value !== 'string') continue;
    if (EMAIL.test(value)) add(key, 'contains an e-mail address (personal data)');
    if (PHONE.test(value)) add(key, 'contains a phone number (personal data)');
  }
  return problems;
}

export interface BatchProblems {
  /** Problems of the batch as a whole (size, puid uniqueness). */
  readonly batch: string[];
  /** Problems per statement, by index in the batch. */
  readonly statements: { index: number; puid: string | null; problems: StatementProblem[] }[];
}

/** A batch is all-or-nothing in the database: 1–100 statements, each valid, puids unique. */
export function validateBatch(statements: readonly unknown[]): BatchProblems {
  const batch: string[] = [];
  if (statements.length < 1 || statements.length > TDB_MAX_BATCH) batch.push(`a batch holds 1 to ${TDB_MAX_BATCH} statements, got ${statements.length}`);
  const seen = new Map<string, number>();
  const result: BatchProblems['statements'] = [];
  statements.forEach((statement, index) => {
    const problems = validateStatement(statement);
    const puid = typeof (statement as { puid?: unknown })?.puid === 'string' ? ((statement as { puid: string }).puid) : null;
    if (puid !== null) {
      const first = seen.get(puid);
      if (first !== undefined) problems.push({ field: 'puid', reason: `duplicate of statement ${first} in the batch` });
      else seen.set(puid, index);
    }
    if (problems.length > 0) result.push({ index, puid, problems });
  });
  return { batch, statements: result };
}

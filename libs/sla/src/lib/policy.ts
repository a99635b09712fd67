import { ABUSE_CATEGORIES, NOTICE_SOURCE_TYPES } from '@vigie/contracts';

export type AbuseCategory = (typeof ABUSE_CATEGORIES)[number];
export type NoticeSourceType = (typeof NOTICE_SOURCE_TYPES)[number];

export const HOUR_MS = 3_600_000;

/** Window lengths in milliseconds of business time. `null` means "no such obligation". */
export interface SlaDurations {
  /** Notice receipt → decision communicated to the notifier (DSA Art. 16(5)). */
  readonly responseMs: number;
  /** Knowledge → content inaccessible (DSA Art. 6 "expeditiously"; HCE: 24 h). */
  readonly removalMs: number;
  /** Knowledge → Art. 18 referral to law enforcement; `null`: no referral required. */
  readonly referralMs: number | null;
  /** A stricter removal target the team holds itself to; `null`: none. */
  readonly internalRemovalMs: number | null;
}

/** Which cases an override applies to; at least one key is set. */
export interface SlaOverrideMatch {
  readonly category?: AbuseCategory;
  readonly sourceType?: NoticeSourceType;
}

/**
 * Replaces some durations for matching cases. Each duration is taken from the most specific
 * override that sets it (category + source, then category, then source), else the defaults.
 */
export interface SlaOverride {
  readonly when: SlaOverrideMatch;
  readonly responseMs?: number;
  readonly removalMs?: number;
  readonly referralMs?: number | null;
  readonly internalRemovalMs?: number | null;
  /** Why the override exists (legal basis, decision reference), for auditors. */
  readonly note?: string;
}

/**
 * The versioned SLA policy. JSON-serialisable on purpose: it is stored beside the events it
 * governs and every knowledge or SLA event names its version, so an audit can replay a case
 * under the policy that was in force.
 */
export interface SlaPolicy {
  readonly version: string;
  readonly defaults: SlaDurations;
  readonly overrides: readonly SlaOverride[];
  /** Shares of a window (0 < share < 1, strictly increasing) at which `sla.at-risk` fires. */
  readonly warningShares: readonly number[];
  /** Whether an automated `critical` detection alone gives knowledge (DSA Art. 6) without a human. */
  readonly automatedCriticalGivesKnowledge: boolean;
  /** Whether a human reviews every automated removal afterwards. */
  readonly reviewAfterAutomatedRemoval: boolean;
}

export const DEFAULT_SLA_POLICY_VERSION = 'sla-2026.11.1';

export const DEFAULT_SLA_POLICY: SlaPolicy = deepFreeze<SlaPolicy>({
  version: DEFAULT_SLA_POLICY_VERSION,
  defaults: {
    responseMs: 24 * HOUR_MS,
    removalMs: 24 * HOUR_MS,
    referralMs: null,
    internalRemovalMs: null,
  },
  overrides: [
    {
      when: { category: 'minors' },
      referralMs: 1 * HOUR_MS,
      internalRemovalMs: 1 * HOUR_MS,
      note: 'Minors: remove within 1 h internally and refer to the police (DSA Art. 18) within 1 h.',
    },
  ],
  warningShares: [0.5, 0.75, 0.9],
  automatedCriticalGivesKnowledge: false,
  reviewAfterAutomatedRemoval: true,
});

/** One problem in a policy document. `path` is a JSON Pointer; `""` is the whole document. */
export interface SlaPolicyProblem {
  readonly path: string;
  readonly message: string;
}

export class SlaPolicyError extends Error {
  override readonly name = 'SlaPolicyError';

  constructor(readonly problems: readonly SlaPolicyProblem[]) {
    super(
      `Invalid SLA policy (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((problem) => `  ${problem.path === '' ? '(document)' : problem.path}: ${problem.message}`).join('\n'),
    );
  }
}

// Same alphabet as the contracts' version labels, so a policy version always fits in an event.
const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+@-]{0,63}$/;
const MAX_NOTE_LENGTH = 500;
const POLICY_KEYS = [
  'version',
  'defaults',
  'overrides',
  'warningShares',
  'automatedCriticalGivesKnowledge',
  'reviewAfterAutomatedRemoval',
] as const;
const DURATION_KEYS = ['responseMs', 'removalMs', 'referralMs', 'internalRemovalMs'] as const;
const NULLABLE_DURATION_KEYS: ReadonlySet<string> = new Set(['referralMs', 'internalRemovalMs']);
const OVERRIDE_KEYS = ['when', ...DURATION_KEYS, 'note'] as const;
const MATCH_KEYS = ['category', 'sourceType'] as const;

/**
 * Validates a policy document (a parsed value, or JSON text) and returns a fresh, frozen copy.
 * Every problem is collected before throwing, so one round trip fixes a policy file.
 */
export function parseSlaPolicy(json: unknown): SlaPolicy {
  let document = json;
  if (typeof json === 'string') {
    try {
      document = JSON.parse(json);
    } catch (error) {
      throw new SlaPolicyError([{ path: '', message: `not valid JSON (${(error as Error).message})` }]);
    }
  }
  const problems: SlaPolicyProblem[] = [];
  const policy = readPolicy(document, problems);
  if (problems.length > 0 || policy === undefined) throw new SlaPolicyError(problems);
  return deepFreeze(policy);
}

function readPolicy(value: unknown, problems: SlaPolicyProblem[]): SlaPolicy | undefined {
  if (!isPlainObject(value)) {
    problems.push({ path: '', message: `expected an object, got ${describeValue(value)}` });
    return undefined;
  }
  rejectUnknownKeys(value, POLICY_KEYS, '', problems);

  const version = value['version'];
  if (typeof version !== 'string' || !VERSION_PATTERN.test(version)) {
    problems.push({
      path: '/version',
      message: `expected a version label (letters, digits and . _ + @ -, at most 64 characters), got ${describeValue(version)}`,
    });
  }

  const defaults = readDefaults(value['defaults'], problems);
  const overrides = readOverrides(value['overrides'], problems);
  const warningShares = readWarningShares(value['warningShares'], problems);
  for (const key of ['automatedCriticalGivesKnowledge', 'reviewAfterAutomatedRemoval'] as const) {
    if (typeof value[key] !== 'boolean') {
      problems.push({ path: `/${key}`, message: `expected true or false, got ${describeValue(value[key])}` });
    }
  }
  if (problems.length > 0 || defaults === undefined || overrides === undefined || warningShares === undefined) return undefined;
  return {
    version: version as string,
    defaults,
    overrides,
    warningShares,
    automatedCriticalGivesKnowledge: value['automatedCriticalGivesKnowledge'] as boolean,
    reviewAfterAutomatedRemoval: value['reviewAfterAutomatedRemoval'] as boolean,
  };
}

function readDefaults(value: unknown, problems: SlaPolicyProblem[]): SlaDurations | undefined {
  if (!isPlainObject(value)) {
    problems.push({ path: '/defaults', message: `expected an object, got ${describeValue(value)}` });
    return undefined;
  }
  rejectUnknownKeys(value, DURATION_KEYS, '/defaults', problems);
  const before = problems.length;
  for (const key of DURATION_KEYS) {
    if (!(key in value)) {
      problems.push({ path: `/defaults/${key}`, message: NULLABLE_DURATION_KEYS.has(key) ? 'required (use null for none)' : 'required' });
    } else {
      checkDuration(value[key], `/defaults/${key}`, NULLABLE_DURATION_KEYS.has(key), problems);
    }
  }
  if (problems.length > before) return undefined;
  return {
    responseMs: value['responseMs'] as number,
    removalMs: value['removalMs'] as number,
    referralMs: value['referralMs'] as number | null,
    internalRemovalMs: value['internalRemovalMs'] as number | null,
  };
}

function readOverrides(value: unknown, problems: SlaPolicyProblem[]): SlaOverride[] | undefined {
  if (!Array.isArray(value)) {
    problems.push({ path: '/overrides', message: `expected an array (possibly empty), got ${describeValue(value)}` });
    return undefined;
  }
  const overrides: SlaOverride[] = [];
  const firstIndexByMatch = new Map<string, number>();
  value.forEach((entry: unknown, index) => {
    const path = `/overrides/${index}`;
    if (!isPlainObject(entry)) {
      problems.push({ path, message: `expected an object, got ${describeValue(entry)}` });
      return;
    }
    const before = problems.length;
    rejectUnknownKeys(entry, OVERRIDE_KEYS, path, problems);
    const when = readMatch(entry['when'], `${path}/when`, problems);
    let setsSomething = false;
    for (const key of DURATION_KEYS) {
      if (!(key in entry)) continue;
      setsSomething = true;
      checkDuration(entry[key], `${path}/${key}`, NULLABLE_DURATION_KEYS.has(key), problems);
    }
    if (!setsSomething) problems.push({ path, message: `sets no duration (expected at least one of ${DURATION_KEYS.join(', ')})` });
    const note = entry['note'];
    if (note !== undefined && (typeof note !== 'string' || note.length > MAX_NOTE_LENGTH)) {
      problems.push({
        path: `${path}/note`,
        message: `expected a string of at most ${MAX_NOTE_LENGTH} characters, got ${describeValue(note)}`,
      });
    }
    if (when !== undefined) {
      // Two overrides for the same cases would make the outcome depend on their order in the file.
      const key = `${when.category ?? '*'}|${when.sourceType ?? '*'}`;
      const first = firstIndexByMatch.get(key);
      if (first !== undefined) {
        problems.push({ path: `${path}/when`, message: `matches the same cases as /overrides/${first}/when; merge them` });
      } else {
        firstIndexByMatch.set(key, index);
      }
    }
    if (problems.length > before || when === undefined) return;
    const override: Record<string, unknown> = { when };
    for (const key of DURATION_KEYS) if (key in entry) override[key] = entry[key];
    if (typeof note === 'string') override['note'] = note;
    overrides.push(override as unknown as SlaOverride);
  });
  return overrides;
}

function readMatch(value: unknown, path: string, problems: SlaPolicyProblem[]): SlaOverrideMatch | undefined {
  if (!isPlainObject(value)) {
    problems.push({ path, message: `expected an object with category and/or sourceType, got ${describeValue(value)}` });
    return undefined;
  }
  const before = problems.length;
  rejectUnknownKeys(value, MATCH_KEYS, path, problems);
  const { category, sourceType } = value;
  if (category === undefined && sourceType === undefined) {
    problems.push({ path, message: 'matches every case; set category and/or sourceType, or change the defaults instead' });
  }
  if (category !== undefined && !(ABUSE_CATEGORIES as readonly unknown[]).includes(category)) {
    problems.push({ path: `${path}/category`, message: `expected one of ${ABUSE_CATEGORIES.join(', ')}, got ${describeValue(category)}` });
  }
  if (sourceType !== undefined && !(NOTICE_SOURCE_TYPES as readonly unknown[]).includes(sourceType)) {
    problems.push({
      path: `${path}/sourceType`,
      message: `expected one of ${NOTICE_SOURCE_TYPES.join(', ')}, got ${describeValue(sourceType)}`,
    });
  }
  if (problems.length > before) return undefined;
  return {
    ...(category !== undefined ? { category: category as AbuseCategory } : {}),
    ...(sourceType !== undefined ? { sourceType: sourceType as NoticeSourceType } : {}),
  };
}

function readWarningShares(value: unknown, problems: SlaPolicyProblem[]): number[] | undefined {
  if (!Array.isArray(value)) {
    problems.push({ path: '/warningShares', message: `expected an array of shares, e.g. [0.5, 0.75, 0.9], got ${describeValue(value)}` });
    return undefined;
  }
  const before = problems.length;
  value.forEach((share: unknown, index) => {
    if (typeof share !== 'number' || !Number.isFinite(share) || share <= 0 || share >= 1) {
      problems.push({
        path: `/warningShares/${index}`,
        message: `expected a number strictly between 0 and 1, got ${describeValue(share)}`,
      });
    } else if (index > 0 && typeof value[index - 1] === 'number' && share <= (value[index - 1] as number)) {
      problems.push({ path: `/warningShares/${index}`, message: 'shares must be strictly increasing' });
    }
  });
  return problems.length > before ? undefined : [...(value as number[])];
}

function checkDuration(value: unknown, path: string, nullable: boolean, problems: SlaPolicyProblem[]): void {
  if (value === null && nullable) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    problems.push({
      path,
      message: `expected a whole number of milliseconds above 0${nullable ? ' or null' : ''}, got ${describeValue(value)}`,
    });
  }
}

function rejectUnknownKeys(value: Record<string, unknown>, known: readonly string[], path: string, problems: SlaPolicyProblem[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      problems.push({ path: `${path}/${escapePointer(key)}`, message: `unknown property (expected one of ${known.join(', ')})` });
    }
  }
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

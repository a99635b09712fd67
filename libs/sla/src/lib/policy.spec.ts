import fc from 'fast-check';
import { ABUSE_CATEGORIES, NOTICE_SOURCE_TYPES } from '@vigie/contracts';
import policyFile from '../../policies/sla-policy.json';
import { DEFAULT_SLA_POLICY, HOUR_MS, parseSlaPolicy, SlaPolicyError, type SlaPolicy } from './policy';

function problemsOf(document: unknown): { path: string; message: string }[] {
  try {
    parseSlaPolicy(document);
  } catch (error) {
    expect(error).toBeInstanceOf(SlaPolicyError);
    return [...(error as SlaPolicyError).problems];
  }
  throw new Error('expected the policy to be rejected');
}

function withChanges(changes: Record<string, unknown>): Record<string, unknown> {
  return { ...JSON.parse(JSON.stringify(DEFAULT_SLA_POLICY)), ...changes };
}

describe('DEFAULT_SLA_POLICY', () => {
  it('is exactly the shipped policy file', () => {
    expect(parseSlaPolicy(policyFile)).toEqual(DEFAULT_SLA_POLICY);
    expect(JSON.parse(JSON.stringify(DEFAULT_SLA_POLICY))).toEqual(policyFile);
  });

  it('holds the HCE 24 h targets and the minors rules', () => {
    expect(DEFAULT_SLA_POLICY.version).toBe('sla-2026.11.1');
    expect(DEFAULT_SLA_POLICY.defaults).toEqual({ responseMs: 24 * HOUR_MS, removalMs: 24 * HOUR_MS, referralMs: null, internalRemovalMs: null });
    expect(DEFAULT_SLA_POLICY.overrides).toEqual([expect.objectContaining({ when: { category: 'minors' }, referralMs: HOUR_MS, internalRemovalMs: HOUR_MS })]);
    expect(DEFAULT_SLA_POLICY.warningShares).toEqual([0.5, 0.75, 0.9]);
  });

  it('cannot be changed by a consumer', () => {
    expect(Object.isFrozen(DEFAULT_SLA_POLICY)).toBe(true);
    expect(Object.isFrozen(DEFAULT_SLA_POLICY.overrides[0].when)).toBe(true);
  });
});

describe('parseSlaPolicy', () => {
  it('accepts JSON text as well as a parsed value', () => {
    expect(parseSlaPolicy(JSON.stringify(DEFAULT_SLA_POLICY))).toEqual(DEFAULT_SLA_POLICY);
  });

  it('returns a frozen copy that does not share the input', () => {
    const input = withChanges({});
    const policy = parseSlaPolicy(input);
    (input['defaults'] as Record<string, unknown>)['responseMs'] = 1;
    expect(policy.defaults.responseMs).toBe(24 * HOUR_MS);
    expect(Object.isFrozen(policy.defaults)).toBe(true);
  });

  it('reports text that is not JSON', () => {
    expect(problemsOf('{"version": ')).toEqual([{ path: '', message: expect.stringContaining('not valid JSON') }]);
  });

  it('reports a document that is not an object', () => {
    expect(problemsOf([])).toEqual([{ path: '', message: 'expected an object, got an array' }]);
    expect(problemsOf(null)).toEqual([{ path: '', message: 'expected an object, got null' }]);
  });

  it('lists every problem with its JSON Pointer path', () => {
    const problems = problemsOf({
      version: 'has spaces',
      defaults: { responseMs: 0, removalMs: 1.5, referralMs: 'soon', extra: 1 },
      overrides: [
        { when: { category: 'minor' }, removalMs: 60_000 },
        { when: {}, responseMs: 60_000 },
        { when: { sourceType: 'trusted-flagger' } },
        { when: { sourceType: 'trusted-flagger' }, responseMs: -5, note: 3 },
        'nope',
      ],
      warningShares: [0.5, 0.5, 1],
      automatedCriticalGivesKnowledge: 'yes',
      unknownSetting: true,
    });
    expect(problems.map((problem) => problem.path)).toEqual([
      '/unknownSetting',
      '/version',
      '/defaults/extra',
      '/defaults/responseMs',
      '/defaults/removalMs',
      '/defaults/referralMs',
      '/defaults/internalRemovalMs',
      '/overrides/0/when/category',
      '/overrides/1/when',
      '/overrides/2',
      '/overrides/3/responseMs',
      '/overrides/3/note',
      '/overrides/3/when',
      '/overrides/4',
      '/warningShares/1',
      '/warningShares/2',
      '/automatedCriticalGivesKnowledge',
      '/reviewAfterAutomatedRemoval',
    ]);
    expect(problems.find((problem) => problem.path === '/overrides/0/when/category')?.message).toBe(
      `expected one of ${ABUSE_CATEGORIES.join(', ')}, got "minor"`,
    );
    expect(problems.find((problem) => problem.path === '/overrides/3/when')?.message).toBe(
      'matches the same cases as /overrides/2/when; merge them',
    );
    expect(problems.find((problem) => problem.path === '/defaults/internalRemovalMs')?.message).toBe('required (use null for none)');
  });

  it('names every problem in the error message', () => {
    try {
      parseSlaPolicy(withChanges({ warningShares: 'half', version: '' }));
      throw new Error('expected a rejection');
    } catch (error) {
      expect((error as Error).name).toBe('SlaPolicyError');
      expect((error as Error).message).toContain('2 problems');
      expect((error as Error).message).toContain('/version: expected a version label');
      expect((error as Error).message).toContain('/warningShares: expected an array of shares');
    }
  });

  it('rejects unknown keys in overrides, so a misspelt duration is not silently ignored', () => {
    expect(problemsOf(withChanges({ overrides: [{ when: { category: 'pimping' }, removalMS: 1000 }] }))).toEqual([
      { path: '/overrides/0/removalMS', message: expect.stringContaining('unknown property') },
      { path: '/overrides/0', message: expect.stringContaining('sets no duration') },
    ]);
  });

  it('allows null only for the optional obligations', () => {
    expect(problemsOf(withChanges({ overrides: [{ when: { category: 'pimping' }, removalMs: null }] }))).toEqual([
      { path: '/overrides/0/removalMs', message: 'expected a whole number of milliseconds above 0, got null' },
    ]);
    expect(parseSlaPolicy(withChanges({ overrides: [{ when: { category: 'minors' }, referralMs: null }] })).overrides[0].referralMs).toBeNull();
  });

  it('accepts an empty list of overrides and of warnings', () => {
    const policy = parseSlaPolicy(withChanges({ overrides: [], warningShares: [] }));
    expect(policy.overrides).toEqual([]);
    expect(policy.warningShares).toEqual([]);
  });

  it('round-trips any valid policy through JSON', () => {
    const duration = fc.integer({ min: 1, max: 30 * 24 * HOUR_MS });
    const optionalDuration = fc.option(duration, { nil: null });
    const matchKeys = fc
      .record({ category: fc.option(fc.constantFrom(...ABUSE_CATEGORIES), { nil: undefined }), sourceType: fc.option(fc.constantFrom(...NOTICE_SOURCE_TYPES), { nil: undefined }) })
      .filter((when) => when.category !== undefined || when.sourceType !== undefined)
      .map((when) => JSON.parse(JSON.stringify(when)) as SlaPolicy['overrides'][number]['when']);
    const policy = fc.record({
      version: fc.stringMatching(/^[a-z0-9][a-z0-9.@-]{0,20}$/),
      defaults: fc.record({ responseMs: duration, removalMs: duration, referralMs: optionalDuration, internalRemovalMs: optionalDuration }),
      overrides: fc
        .uniqueArray(matchKeys, { selector: (when) => `${when.category}|${when.sourceType}`, maxLength: 6 })
        .chain((matches) => fc.tuple(...matches.map((when) => fc.record({ when: fc.constant(when), removalMs: duration }, { requiredKeys: ['when', 'removalMs'] })))),
      warningShares: fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { maxLength: 4 }).map((shares) => shares.sort((a, b) => a - b).map((share) => share / 100)),
      automatedCriticalGivesKnowledge: fc.boolean(),
      reviewAfterAutomatedRemoval: fc.boolean(),
    });
    fc.assert(
      fc.property(policy, (document) => {
        expect(parseSlaPolicy(JSON.stringify(document))).toEqual(document);
      }),
    );
  });
});

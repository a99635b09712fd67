import fc from 'fast-check';
import { ABUSE_CATEGORIES, NOTICE_SOURCE_TYPES } from '@vigie/contracts';
import { DEFAULT_SLA_POLICY, HOUR_MS, parseSlaPolicy, type SlaPolicy } from './policy';
import { resolveDurations, resolveTargets } from './targets';

const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);

const LAYERED: SlaPolicy = parseSlaPolicy({
  version: 'test-layers@1',
  defaults: { responseMs: 1000, removalMs: 2000, referralMs: null, internalRemovalMs: null },
  overrides: [
    // Deliberately listed most specific first: file order must not matter.
    { when: { category: 'pimping', sourceType: 'trusted-flagger' }, removalMs: 5 },
    { when: { sourceType: 'trusted-flagger' }, responseMs: 30, removalMs: 40, referralMs: 45 },
    { when: { category: 'pimping' }, removalMs: 300, internalRemovalMs: 100 },
  ],
  warningShares: [],
  automatedCriticalGivesKnowledge: false,
  reviewAfterAutomatedRemoval: false,
});

describe('resolveTargets with the default policy', () => {
  it('gives 24 h to respond and to remove, and no referral, for an ordinary case', () => {
    expect(resolveTargets(DEFAULT_SLA_POLICY, { category: 'pimping', sourceType: 'public', startMs: T0 })).toEqual({
      policyVersion: 'sla-2026.11.1',
      response: { targetMs: 24 * HOUR_MS, deadlineMs: T0 + 24 * HOUR_MS },
      removal: { targetMs: 24 * HOUR_MS, deadlineMs: T0 + 24 * HOUR_MS, basis: 'policy' },
      referral: null,
      internalRemoval: null,
    });
  });

  it('adds the 1 h internal removal target and the 1 h referral for minors', () => {
    const targets = resolveTargets(DEFAULT_SLA_POLICY, { category: 'minors', sourceType: 'trusted-flagger', startMs: T0 });
    expect(targets.removal).toEqual({ targetMs: 24 * HOUR_MS, deadlineMs: T0 + 24 * HOUR_MS, basis: 'policy' });
    expect(targets.internalRemoval).toEqual({ targetMs: HOUR_MS, deadlineMs: T0 + HOUR_MS });
    expect(targets.referral).toEqual({ targetMs: HOUR_MS, deadlineMs: T0 + HOUR_MS });
  });

  it('lets a sooner authority deadline set the removal window', () => {
    const targets = resolveTargets(DEFAULT_SLA_POLICY, {
      category: 'human-trafficking',
      sourceType: 'authority-order',
      authorityDeadlineMs: T0 + HOUR_MS,
      startMs: T0,
    });
    expect(targets.removal).toEqual({ targetMs: HOUR_MS, deadlineMs: T0 + HOUR_MS, basis: 'authority-order' });
    expect(targets.response.targetMs).toBe(24 * HOUR_MS);
  });

  it('does not relax the policy for a later authority deadline', () => {
    const targets = resolveTargets(DEFAULT_SLA_POLICY, {
      category: 'pimping',
      sourceType: 'authority-order',
      authorityDeadlineMs: T0 + 48 * HOUR_MS,
      startMs: T0,
    });
    expect(targets.removal).toEqual({ targetMs: 24 * HOUR_MS, deadlineMs: T0 + 24 * HOUR_MS, basis: 'policy' });
  });

  it('keeps a 1 ms window when the authority deadline passed before knowledge', () => {
    const targets = resolveTargets(DEFAULT_SLA_POLICY, { category: 'pimping', sourceType: 'authority-order', authorityDeadlineMs: T0 - 5, startMs: T0 });
    expect(targets.removal).toEqual({ targetMs: 1, deadlineMs: T0 + 1, basis: 'authority-order' });
  });

  it('never lets the internal target fall after an authority deadline', () => {
    const targets = resolveTargets(DEFAULT_SLA_POLICY, {
      category: 'minors',
      sourceType: 'authority-order',
      authorityDeadlineMs: T0 + 30 * 60_000,
      startMs: T0,
    });
    expect(targets.internalRemoval).toEqual({ targetMs: 30 * 60_000, deadlineMs: T0 + 30 * 60_000 });
  });

  it('starts removal and referral at knowledge, response at receipt', () => {
    const knowledgeMs = T0 + 3 * HOUR_MS;
    const targets = resolveTargets(DEFAULT_SLA_POLICY, {
      category: 'minors',
      sourceType: 'public',
      startMs: T0,
      knowledgeMs,
      authorityDeadlineMs: null,
    });
    expect(targets.response.deadlineMs).toBe(T0 + 24 * HOUR_MS);
    expect(targets.removal.deadlineMs).toBe(knowledgeMs + 24 * HOUR_MS);
    expect(targets.referral?.deadlineMs).toBe(knowledgeMs + HOUR_MS);
  });
});

describe('resolveDurations', () => {
  it.each<[string, (typeof ABUSE_CATEGORIES)[number], (typeof NOTICE_SOURCE_TYPES)[number] | null, object]>([
    ['defaults when nothing matches', 'minors', 'public', { responseMs: 1000, removalMs: 2000, referralMs: null, internalRemovalMs: null }],
    ['source override', 'minors', 'trusted-flagger', { responseMs: 30, removalMs: 40, referralMs: 45, internalRemovalMs: null }],
    ['category override', 'pimping', 'public', { responseMs: 1000, removalMs: 300, referralMs: null, internalRemovalMs: 100 }],
    ['category beats source, category+source beats both', 'pimping', 'trusted-flagger', { responseMs: 30, removalMs: 5, referralMs: 45, internalRemovalMs: 100 }],
    ['own-initiative case ignores source overrides', 'pimping', null, { responseMs: 1000, removalMs: 300, referralMs: null, internalRemovalMs: 100 }],
  ])('%s', (_name, category, sourceType, expected) => {
    expect(resolveDurations(LAYERED, category, sourceType)).toEqual(expected);
  });

  it('lets an override switch an obligation off with null', () => {
    const policy = parseSlaPolicy({ ...JSON.parse(JSON.stringify(DEFAULT_SLA_POLICY)), overrides: [
      { when: { category: 'minors' }, referralMs: HOUR_MS },
      { when: { category: 'minors', sourceType: 'authority-order' }, referralMs: null },
    ] });
    expect(resolveDurations(policy, 'minors', 'public').referralMs).toBe(HOUR_MS);
    expect(resolveDurations(policy, 'minors', 'authority-order').referralMs).toBeNull();
  });

  it('does not depend on the order of the overrides in the policy', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray([...LAYERED.overrides], { minLength: LAYERED.overrides.length }),
        fc.constantFrom(...ABUSE_CATEGORIES),
        fc.constantFrom(...NOTICE_SOURCE_TYPES, null),
        (overrides, category, sourceType) => {
          expect(resolveDurations({ ...LAYERED, overrides }, category, sourceType)).toEqual(resolveDurations(LAYERED, category, sourceType));
        },
      ),
    );
  });

  it('never gives a removal window later than an authority deadline', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ABUSE_CATEGORIES),
        fc.constantFrom(...NOTICE_SOURCE_TYPES, null),
        fc.integer({ min: 1, max: 100 * HOUR_MS }),
        (category, sourceType, afterMs) => {
          const targets = resolveTargets(DEFAULT_SLA_POLICY, { category, sourceType, startMs: T0, authorityDeadlineMs: T0 + afterMs });
          expect(targets.removal.deadlineMs).toBeLessThanOrEqual(T0 + afterMs);
          expect(targets.removal.deadlineMs).toBe(T0 + targets.removal.targetMs);
          expect(targets.internalRemoval?.deadlineMs ?? -Infinity).toBeLessThanOrEqual(targets.removal.deadlineMs);
        },
      ),
    );
  });
});

import { automaticRemovalFor, flagCategory, type FlagAssessment } from './automatic-removal';
import { casePriority, strongerSource } from './priority';
import { crossesRepeatOffenderThreshold, notifierStanding } from './repeat-offenders';

const flag = (overrides: Partial<FlagAssessment> = {}): FlagAssessment => ({
  band: 'high',
  score: 0.8,
  indicatorCodes: [],
  networkKinds: [],
  referralSuggested: false,
  ...overrides,
});

describe('casePriority', () => {
  it('puts minors first, then authority orders, trusted flaggers and critical flags, then the rest', () => {
    expect(casePriority({ category: 'minors', sourceType: 'public', band: null, deprioritisedOnly: true })).toEqual({ priority: 'urgent', sourceRank: 0 });
    expect(casePriority({ category: 'pimping', sourceType: 'authority-order', band: null, deprioritisedOnly: false }).sourceRank).toBe(1);
    expect(casePriority({ category: 'pimping', sourceType: 'trusted-flagger', band: null, deprioritisedOnly: false }).sourceRank).toBe(2);
    expect(casePriority({ category: 'pimping', sourceType: null, band: 'critical', deprioritisedOnly: false }).sourceRank).toBe(2);
    expect(casePriority({ category: 'pimping', sourceType: 'public', band: null, deprioritisedOnly: false })).toEqual({ priority: 'normal', sourceRank: 3 });
    expect(casePriority({ category: 'pimping', sourceType: 'public', band: null, deprioritisedOnly: true })).toEqual({ priority: 'low', sourceRank: 4 });
  });

  it('keeps the stronger source', () => {
    expect(strongerSource('public', 'trusted-flagger')).toBe('trusted-flagger');
    expect(strongerSource('authority-order', 'trusted-flagger')).toBe('authority-order');
    expect(strongerSource(null, 'public')).toBe('public');
  });
});

describe('automaticRemovalFor', () => {
  const on = { hashMatch: true, statedMinor: true };
  it('removes stated minors and known-hash matches, each switchable', () => {
    expect(automaticRemovalFor(flag({ indicatorCodes: ['stated-minor'] }), on)?.basis).toBe('stated-minor');
    expect(automaticRemovalFor(flag({ networkKinds: ['hash-match'] }), on)?.basis).toBe('hash-match');
    expect(automaticRemovalFor(flag({ indicatorCodes: ['stated-minor'] }), { ...on, statedMinor: false })).toBeNull();
    expect(automaticRemovalFor(flag({ networkKinds: ['hash-match'] }), { ...on, hashMatch: false })).toBeNull();
  });

  it('never removes on scores or network signals alone', () => {
    expect(automaticRemovalFor(flag({ band: 'critical', score: 0.99, networkKinds: ['shared-contact', 'template-cluster'] }), on)).toBeNull();
  });

  it('files flags under the most telling category', () => {
    expect(flagCategory(flag({ indicatorCodes: ['stated-minor'] }))).toBe('minors');
    expect(flagCategory(flag({ networkKinds: ['shared-contact'] }))).toBe('human-trafficking');
    expect(flagCategory(flag())).toBe('pimping');
  });
});

describe('Art. 23 thresholds', () => {
  it('warns, then deprioritises notifiers', () => {
    const thresholds = { warning: 3, deprioritise: 5 };
    expect([0, 2, 3, 4, 5, 9].map((n) => notifierStanding(n, thresholds))).toEqual(['good', 'good', 'warned', 'warned', 'deprioritised', 'deprioritised']);
  });

  it('recommends once, when the threshold is crossed', () => {
    expect(crossesRepeatOffenderThreshold(2, 3, 3)).toBe(true);
    expect(crossesRepeatOffenderThreshold(3, 4, 3)).toBe(false);
    expect(crossesRepeatOffenderThreshold(1, 2, 3)).toBe(false);
  });
});

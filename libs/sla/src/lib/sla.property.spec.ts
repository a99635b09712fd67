import { ABUSE_CATEGORIES, NOTICE_SOURCE_TYPES } from '@vigie/contracts';
import fc from 'fast-check';
import { effectiveDeadline, elapsedMs, type ClockPause } from './clock';
import { crossedWarnings, evaluateSla, SLA_STATES, type SlaEvaluationInput } from './evaluate';
import { DEFAULT_SLA_POLICY, HOUR_MS, parseSlaPolicy, SlaPolicyError, type SlaPolicy } from './policy';
import { resolveTargets, type TargetQuery } from './targets';

// Property tests for issue 9 ("bad input") on the SLA math: total over valid inputs, deadlines
// monotonic in every direction that matters, verdicts and warnings consistent with them.

const DAY_MS = 24 * HOUR_MS;
/** Any instant a Date can hold. */
const anyInstant = fc.integer({ min: -8.64e15, max: 8.64e15 });
const target = fc.integer({ min: 1, max: 30 * DAY_MS });
/** Pauses near `base`: before and after it, open or closed, inverted, overlapping, long or instant. */
const pausesNear = (base: number) =>
  fc.array(
    fc
      .record({
        startOffset: fc.integer({ min: -2 * DAY_MS, max: 10 * DAY_MS }),
        length: fc.option(fc.integer({ min: -HOUR_MS, max: 3 * DAY_MS }), { nil: null, freq: 5 }),
        reason: fc.constantFrom('clarification', 'force majeure'),
      })
      .map(({ startOffset, length, reason }): ClockPause => ({ startMs: base + startOffset, endMs: length === null ? null : base + startOffset + length, reason })),
    { maxLength: 6 },
  );
const BASE = Date.UTC(2026, 10, 23, 8);
const pauses = pausesNear(BASE);
const near = fc.integer({ min: -3 * DAY_MS, max: 12 * DAY_MS }).map((offset) => BASE + offset);

describe('effectiveDeadline (properties)', () => {
  it('never throws, and is finite, for any finite instants, targets and pauses', () => {
    const pause = fc.record({ startMs: anyInstant, endMs: fc.option(anyInstant, { nil: null }) });
    fc.assert(
      fc.property(anyInstant, fc.integer({ min: -DAY_MS, max: 365 * DAY_MS }), fc.array(pause, { maxLength: 6 }), anyInstant, (start, ms, stops, now) =>
        Number.isFinite(effectiveDeadline(start, ms, stops, now)),
      ),
      { numRuns: 1000 },
    );
  });

  it('is never earlier than start + target: pauses never bring a deadline forward', () => {
    fc.assert(
      fc.property(near, target, pauses, near, (start, ms, stops, now) => effectiveDeadline(start, ms, stops, now) >= start + ms),
      { numRuns: 1000 },
    );
  });

  it('never moves earlier when a pause is added', () => {
    fc.assert(
      fc.property(near, target, pauses, pauses, near, (start, ms, stops, more, now) => {
        const before = effectiveDeadline(start, ms, stops, now);
        return effectiveDeadline(start, ms, [...stops, ...more], now) >= before && effectiveDeadline(start, ms, [...more, ...stops], now) >= before;
      }),
      { numRuns: 1000 },
    );
  });

  it('never moves earlier when the window starts later (later knowledge)', () => {
    fc.assert(
      fc.property(near, fc.integer({ min: 0, max: 5 * DAY_MS }), target, pauses, near, (start, delay, ms, stops, now) =>
        effectiveDeadline(start + delay, ms, stops, now) >= effectiveDeadline(start, ms, stops, now),
      ),
      { numRuns: 1000 },
    );
  });

  it('moves later with a longer target', () => {
    fc.assert(
      fc.property(near, target, fc.integer({ min: 1, max: 5 * DAY_MS }), pauses, near, (start, ms, extra, stops, now) =>
        effectiveDeadline(start, ms + extra, stops, now) >= effectiveDeadline(start, ms, stops, now) + extra,
      ),
      { numRuns: 1000 },
    );
  });

  it('never moves earlier as time goes on (an open pause keeps pushing it)', () => {
    fc.assert(
      fc.property(near, target, pauses, near, fc.integer({ min: 0, max: 5 * DAY_MS }), (start, ms, stops, now, later) =>
        effectiveDeadline(start, ms, stops, now + later) >= effectiveDeadline(start, ms, stops, now),
      ),
      { numRuns: 1000 },
    );
  });

  it('is exactly when counted time reaches the target', () => {
    fc.assert(
      fc.property(near, target, pauses, (start, ms, stops) => {
        // Closed pauses only: an open one runs to "now", which moves with the instant asked about.
        const closed = stops.filter((pause) => pause.endMs !== null);
        const deadline = effectiveDeadline(start, ms, closed, start);
        return elapsedMs(start, deadline, closed) === ms && elapsedMs(start, deadline + 1, closed) <= ms + 1;
      }),
      { numRuns: 1000 },
    );
  });
});

describe('evaluateSla (properties)', () => {
  const input: fc.Arbitrary<SlaEvaluationInput> = fc.record({
    kind: fc.constantFrom('response', 'removal', 'referral'),
    startMs: fc.option(near, { nil: null, freq: 8 }),
    endMs: fc.option(near, { nil: null }),
    targetMs: target,
    pauses,
    nowMs: near,
    warningShares: fc.constantFrom(DEFAULT_SLA_POLICY.warningShares, [0.9, 0.5, 0.75], [], [0.5]),
  });

  it('never throws on finite inputs and always gives a known state', () => {
    const total: fc.Arbitrary<SlaEvaluationInput> = fc.record({
      kind: fc.constantFrom('response', 'removal', 'referral'),
      startMs: fc.option(anyInstant, { nil: null }),
      endMs: fc.option(anyInstant, { nil: null }),
      targetMs: fc.oneof(fc.integer({ min: 1, max: 365 * DAY_MS }), fc.double({ min: 1e-6, max: 1e15, noNaN: true })),
      pauses: fc.array(fc.record({ startMs: anyInstant, endMs: fc.option(anyInstant, { nil: null }) }), { maxLength: 5 }),
      nowMs: anyInstant,
      warningShares: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
    });
    fc.assert(
      fc.property(total, (sla) => SLA_STATES.includes(evaluateSla(sla).state)),
      { numRuns: 1000 },
    );
  });

  it('says met whenever the decision came on or before the deadline, breached after it', () => {
    fc.assert(
      fc.property(near, target, pauses, fc.integer({ min: -DAY_MS, max: 3 * DAY_MS }), near, (start, ms, stops, offset, now) => {
        const deadline = effectiveDeadline(start, ms, stops, start + ms + offset);
        const endMs = start + ms + offset;
        const result = evaluateSla({ kind: 'removal', startMs: start, endMs, targetMs: ms, pauses: stops, nowMs: now, warningShares: [0.5, 0.75, 0.9] });
        expect(result.deadlineMs).toBe(deadline);
        expect(result.state).toBe(endMs <= deadline ? 'met' : 'breached');
        if (endMs <= start + ms) expect(result.state).toBe('met');
      }),
      { numRuns: 1000 },
    );
  });

  it('never breaches a window that has not started, and never reports an ended window as open', () => {
    fc.assert(
      fc.property(input, (sla) => {
        const result = evaluateSla(sla);
        if (sla.startMs === null) return result.state === 'open' && !result.started && result.deadlineMs === null;
        return sla.endMs === null ? ['open', 'at-risk', 'paused', 'open-breached'].includes(result.state) : ['met', 'breached'].includes(result.state);
      }),
      { numRuns: 1000 },
    );
  });

  it('never turns a met verdict into a breach by adding a pause', () => {
    fc.assert(
      fc.property(input, pauses, (sla, more) => {
        fc.pre(sla.startMs !== null && sla.endMs !== null);
        const before = evaluateSla(sla);
        const after = evaluateSla({ ...sla, pauses: [...sla.pauses, ...more] });
        return before.state !== 'met' || after.state === 'met';
      }),
      { numRuns: 1000 },
    );
  });

  it('is at risk from the first warning share on, and not before (when running and not paused)', () => {
    fc.assert(
      fc.property(input, (sla) => {
        fc.pre(sla.startMs !== null && sla.endMs === null);
        const result = evaluateSla(sla);
        const shares = [...sla.warningShares].sort((a, b) => a - b);
        if (result.state === 'paused' || result.state === 'open-breached') return true;
        const warned = shares.length > 0 && result.shareOfWindow >= shares[0];
        return (result.state === 'at-risk') === warned;
      }),
      { numRuns: 1000 },
    );
  });

  it('reports warnings crossed in ascending order, each a policy share at or below the share used', () => {
    fc.assert(
      fc.property(input, (sla) => {
        const { warningsCrossed, shareOfWindow } = evaluateSla(sla);
        const sorted = [...warningsCrossed].sort((a, b) => a - b);
        return (
          warningsCrossed.every((share, i) => share === sorted[i]) &&
          new Set(warningsCrossed).size === warningsCrossed.length &&
          warningsCrossed.every((share) => sla.warningShares.includes(share) && share <= shareOfWindow)
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('reaches the 50, 75 and 90 % warnings in that order, all before the deadline', () => {
    fc.assert(
      fc.property(near, target, pauses.map((stops) => stops.filter((pause) => pause.endMs !== null)), (start, ms, stops) => {
        // The first whole millisecond at which each share of the window has been counted.
        const [w50, w75, w90] = DEFAULT_SLA_POLICY.warningShares.map((share) => Math.ceil(effectiveDeadline(start, share * ms, stops, start)));
        const deadline = effectiveDeadline(start, ms, stops, start);
        if (!(start <= w50 && w50 <= w75 && w75 <= w90 && w90 <= deadline)) return false;
        // Evaluated at each instant, exactly the warnings up to that one have been crossed.
        const at = (nowMs: number) => evaluateSla({ kind: 'removal', startMs: start, endMs: null, targetMs: ms, pauses: stops, nowMs, warningShares: DEFAULT_SLA_POLICY.warningShares });
        return (
          at(w50).warningsCrossed.length >= 1 &&
          at(w75).warningsCrossed.length >= 2 &&
          at(w90).warningsCrossed.length === 3 &&
          at(deadline).state !== 'open-breached' &&
          at(deadline + 1).state === 'open-breached'
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('announces each of 50, 75 and 90 % once and in order over any series of evaluations', () => {
    fc.assert(
      fc.property(near, target, pauses, fc.array(near, { maxLength: 12 }), (start, ms, stops, instants) => {
        const announced: number[] = [];
        let previous: number | null = null;
        for (const nowMs of [...instants].sort((a, b) => a - b)) {
          const { shareOfWindow } = evaluateSla({ kind: 'removal', startMs: start, endMs: null, targetMs: ms, pauses: stops, nowMs, warningShares: DEFAULT_SLA_POLICY.warningShares });
          announced.push(...crossedWarnings(previous, shareOfWindow, DEFAULT_SLA_POLICY.warningShares));
          previous = previous === null ? shareOfWindow : Math.max(previous, shareOfWindow);
        }
        return announced.every((share, i) => i === 0 || announced[i - 1] < share) && announced.every((share) => DEFAULT_SLA_POLICY.warningShares.includes(share));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('resolveTargets (properties)', () => {
  const category = fc.constantFrom(...ABUSE_CATEGORIES);
  const sourceType = fc.constantFrom(null, ...NOTICE_SOURCE_TYPES);
  const query: fc.Arbitrary<TargetQuery> = fc.record({
    category,
    sourceType,
    authorityDeadlineMs: fc.option(near, { nil: null }),
    startMs: near,
    knowledgeMs: fc.option(near, { nil: null }),
  });
  /** A valid policy with random durations, overrides and warnings, through the real parser. */
  const policy: fc.Arbitrary<SlaPolicy> = fc
    .record({
      defaults: fc.record({ responseMs: target, removalMs: target, referralMs: fc.option(target, { nil: null }), internalRemovalMs: fc.option(target, { nil: null }) }),
      overrides: fc.array(
        fc.record(
          {
            when: fc.oneof(
              fc.record({ category }),
              fc.record({ sourceType: fc.constantFrom(...NOTICE_SOURCE_TYPES) }),
              fc.record({ category, sourceType: fc.constantFrom(...NOTICE_SOURCE_TYPES) }),
            ),
            removalMs: target,
            internalRemovalMs: fc.option(target, { nil: null }),
          },
          { requiredKeys: ['when', 'removalMs'] },
        ),
        { maxLength: 4 },
      ),
    })
    .map(({ defaults, overrides }) => {
      const seen = new Set<string>();
      const distinct = overrides.filter((override) => {
        const key = JSON.stringify(override.when);
        return !seen.has(key) && seen.add(key) !== undefined;
      });
      return { ...DEFAULT_SLA_POLICY, version: 'prop-1', defaults, overrides: distinct };
    })
    // Through the real parser: the generated documents are valid, so it must accept them.
    .map((document) => parseSlaPolicy(JSON.parse(JSON.stringify(document))));

  it('never throws and keeps every deadline at or after the start of its window', () => {
    fc.assert(
      fc.property(policy, query, (sla, q) => {
        const targets = resolveTargets(sla, q);
        const knowledge = q.knowledgeMs ?? q.startMs;
        return (
          targets.response.deadlineMs === q.startMs + targets.response.targetMs &&
          targets.removal.deadlineMs > knowledge &&
          (targets.referral === null || targets.referral.deadlineMs >= knowledge) &&
          (targets.internalRemoval === null || (targets.internalRemoval.deadlineMs <= targets.removal.deadlineMs && targets.internalRemoval.deadlineMs > knowledge))
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('never gives an earlier deadline for later knowledge', () => {
    fc.assert(
      fc.property(policy, query, fc.integer({ min: 0, max: 5 * DAY_MS }), (sla, q, delay) => {
        const knowledge = q.knowledgeMs ?? q.startMs;
        const before = resolveTargets(sla, q);
        const after = resolveTargets(sla, { ...q, knowledgeMs: knowledge + delay });
        return (
          after.removal.deadlineMs >= before.removal.deadlineMs &&
          (after.referral?.deadlineMs ?? 0) >= (before.referral?.deadlineMs ?? 0) &&
          (after.internalRemoval?.deadlineMs ?? 0) >= (before.internalRemoval?.deadlineMs ?? 0) &&
          after.response.deadlineMs === before.response.deadlineMs
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('never gives an earlier deadline for a longer target', () => {
    fc.assert(
      fc.property(query, target, fc.integer({ min: 0, max: 5 * DAY_MS }), (q, ms, extra) => {
        const withRemoval = (removalMs: number) => resolveTargets({ ...DEFAULT_SLA_POLICY, defaults: { ...DEFAULT_SLA_POLICY.defaults, responseMs: removalMs, removalMs } }, q);
        const shorter = withRemoval(ms);
        const longer = withRemoval(ms + extra);
        return longer.removal.deadlineMs >= shorter.removal.deadlineMs && longer.response.deadlineMs === shorter.response.deadlineMs + extra;
      }),
      { numRuns: 1000 },
    );
  });

  it('never lets an authority order relax the policy, only tighten it', () => {
    fc.assert(
      fc.property(policy, query, (sla, q) => {
        const withOrder = resolveTargets(sla, q);
        const withoutOrder = resolveTargets(sla, { ...q, authorityDeadlineMs: null });
        return withOrder.removal.deadlineMs <= withoutOrder.removal.deadlineMs && withOrder.removal.targetMs >= 1;
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseSlaPolicy (properties)', () => {
  it('never throws anything but a SlaPolicyError listing problems, whatever the document', () => {
    const mutated = fc.tuple(fc.constantFrom('version', 'defaults', 'overrides', 'warningShares', 'automatedCriticalGivesKnowledge', 'reviewAfterAutomatedRemoval'), fc.jsonValue()).map(([key, value]) => ({ ...DEFAULT_SLA_POLICY, [key]: value }));
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything(), fc.string(), mutated), (document) => {
        try {
          const parsed = parseSlaPolicy(document);
          // Whatever it accepts, it accepts again (and as JSON text), unchanged.
          expect(parseSlaPolicy(JSON.stringify(parsed))).toEqual(parsed);
        } catch (error) {
          if (!(error instanceof SlaPolicyError)) throw error;
          expect(error.problems.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

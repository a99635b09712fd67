import fc from 'fast-check';
import type { ClockPause } from './clock';
import { crossedWarnings, evaluateSla, SLA_STATES, type SlaEvaluationInput } from './evaluate';
import { toEpochMs } from './time';

const HOUR = 3_600_000;
const SHARES = [0.5, 0.75, 0.9];

function input(overrides: Partial<SlaEvaluationInput>): SlaEvaluationInput {
  return { kind: 'removal', startMs: 0, endMs: null, targetMs: 24 * HOUR, pauses: [], nowMs: 0, warningShares: SHARES, ...overrides };
}

describe('evaluateSla', () => {
  it.each<[string, Partial<SlaEvaluationInput>, string]>([
    ['ended before the deadline', { endMs: 2 * HOUR, nowMs: 30 * HOUR }, 'met'],
    ['ended exactly on the deadline', { endMs: 24 * HOUR, nowMs: 30 * HOUR }, 'met'],
    ['ended one millisecond late', { endMs: 24 * HOUR + 1, nowMs: 30 * HOUR }, 'breached'],
    ['ended late but within the time added by a pause', { endMs: 25 * HOUR, pauses: [{ startMs: HOUR, endMs: 3 * HOUR }], nowMs: 30 * HOUR }, 'met'],
    ['ended before it started (counts as no time)', { startMs: 5 * HOUR, endMs: 4 * HOUR, nowMs: 30 * HOUR }, 'met'],
    ['just opened', { nowMs: HOUR }, 'open'],
    ['at the first warning share', { nowMs: 12 * HOUR }, 'at-risk'],
    ['past the last warning share', { nowMs: 23 * HOUR }, 'at-risk'],
    ['on the deadline, still open', { nowMs: 24 * HOUR }, 'at-risk'],
    ['past the deadline, still open', { nowMs: 24 * HOUR + 1 }, 'open-breached'],
    ['currently paused', { pauses: [{ startMs: 20 * HOUR, endMs: null }], nowMs: 30 * HOUR }, 'paused'],
    ['paused after the deadline already passed', { pauses: [{ startMs: 25 * HOUR, endMs: null }], nowMs: 30 * HOUR }, 'open-breached'],
    ['resumed after a pause', { pauses: [{ startMs: HOUR, endMs: 2 * HOUR }], nowMs: 2 * HOUR }, 'open'],
    ['no warnings configured', { nowMs: 23 * HOUR, warningShares: [] }, 'open'],
    ['now before the start', { startMs: 10 * HOUR, nowMs: 5 * HOUR }, 'open'],
  ])('%s', (_name, overrides, state) => {
    expect(evaluateSla(input(overrides)).state).toBe(state);
  });

  it('reports counted time, pauses, deadline and share', () => {
    const result = evaluateSla(
      input({ pauses: [{ startMs: 2 * HOUR, endMs: 4 * HOUR }, { startMs: 3 * HOUR, endMs: 5 * HOUR }], nowMs: 21 * HOUR }),
    );
    expect(result).toEqual({
      kind: 'removal',
      state: 'at-risk',
      started: true,
      ended: false,
      targetMs: 24 * HOUR,
      elapsedMs: 18 * HOUR,
      pausedMs: 3 * HOUR,
      deadlineMs: 27 * HOUR,
      shareOfWindow: 0.75,
      warningsCrossed: [0.5, 0.75],
    });
  });

  it('gives the figures of the sla.met contract example', () => {
    const result = evaluateSla({
      kind: 'removal',
      startMs: toEpochMs('2026-11-23T08:00:00.000Z'),
      endMs: toEpochMs('2026-11-23T08:22:58.000Z'),
      targetMs: 86_400_000,
      pauses: [],
      nowMs: toEpochMs('2026-11-23T08:23:05.050Z'),
      warningShares: SHARES,
    });
    expect(result).toMatchObject({ state: 'met', elapsedMs: 1_378_000, pausedMs: 0, deadlineMs: toEpochMs('2026-11-24T08:00:00.000Z') });
    expect(result.shareOfWindow).toBeCloseTo(0.01595, 5);
  });

  it('gives the figures of the sla.breached contract example, found late on replay', () => {
    const result = evaluateSla({
      kind: 'response',
      startMs: toEpochMs('2026-11-23T02:00:00.000Z'),
      endMs: null,
      targetMs: 86_400_000,
      pauses: [],
      nowMs: toEpochMs('2026-11-24T08:00:00.000Z'),
      warningShares: SHARES,
    });
    expect(result).toMatchObject({
      state: 'open-breached',
      elapsedMs: 108_000_000,
      shareOfWindow: 1.25,
      deadlineMs: toEpochMs('2026-11-24T02:00:00.000Z'),
      warningsCrossed: SHARES,
    });
  });

  it('stops counting at the end fact, and an open pause with it', () => {
    const result = evaluateSla(input({ endMs: 10 * HOUR, pauses: [{ startMs: 8 * HOUR, endMs: null }], nowMs: 100 * HOUR }));
    expect(result).toMatchObject({ state: 'met', ended: true, elapsedMs: 8 * HOUR, pausedMs: 2 * HOUR, deadlineMs: 26 * HOUR });
  });

  it('reports a window without a start as open, with nothing counted and no deadline', () => {
    for (const endMs of [null, 5 * HOUR]) {
      expect(evaluateSla(input({ startMs: null, endMs, nowMs: 100 * HOUR }))).toEqual({
        kind: 'removal',
        state: 'open',
        started: false,
        ended: endMs !== null,
        targetMs: 24 * HOUR,
        elapsedMs: 0,
        pausedMs: 0,
        deadlineMs: null,
        shareOfWindow: 0,
        warningsCrossed: [],
      });
    }
  });

  it('rejects inputs it cannot count with', () => {
    expect(() => evaluateSla(input({ targetMs: 0 }))).toThrow(RangeError);
    expect(() => evaluateSla(input({ nowMs: Number.NaN }))).toThrow('nowMs');
    expect(() => evaluateSla(input({ endMs: Number.POSITIVE_INFINITY }))).toThrow('endMs');
    expect(() => evaluateSla(input({ pauses: [{ startMs: Number.NaN, endMs: null }] }))).toThrow('pauses[0].startMs');
  });

  describe('properties', () => {
    const time = fc.integer({ min: -1_000, max: 5_000 });
    const pause = fc.record({ startMs: time, endMs: fc.option(time, { nil: null, freq: 4 }) }) as fc.Arbitrary<ClockPause>;
    const arbitraryInput: fc.Arbitrary<SlaEvaluationInput> = fc.record({
      kind: fc.constantFrom('response', 'removal', 'referral'),
      startMs: fc.option(time, { nil: null, freq: 6 }),
      endMs: fc.option(time, { nil: null }),
      targetMs: fc.integer({ min: 1, max: 3_000 }),
      pauses: fc.array(pause, { maxLength: 5 }),
      nowMs: time,
      warningShares: fc.uniqueArray(fc.double({ min: 0.01, max: 0.99, noNaN: true }), { maxLength: 4 }),
    });

    it('is total and deterministic', () => {
      fc.assert(
        fc.property(arbitraryInput, (sla) => {
          const first = evaluateSla(sla);
          expect(SLA_STATES).toContain(first.state);
          expect(evaluateSla(JSON.parse(JSON.stringify(sla)))).toEqual(first);
          expect(evaluateSla({ ...sla, pauses: [...sla.pauses].reverse(), warningShares: [...sla.warningShares].reverse() })).toEqual(first);
        }),
      );
    });

    it('follows the state rules', () => {
      fc.assert(
        fc.property(arbitraryInput, (sla) => {
          const result = evaluateSla(sla);
          expect(result.shareOfWindow).toBe(result.elapsedMs / sla.targetMs);
          if (sla.startMs === null) {
            expect(result).toMatchObject({ state: 'open', deadlineMs: null, elapsedMs: 0 });
            return;
          }
          const horizonMs = sla.endMs ?? sla.nowMs;
          expect(result.elapsedMs + result.pausedMs).toBe(Math.max(0, horizonMs - sla.startMs));
          const deadlineMs = result.deadlineMs as number;
          expect(deadlineMs).toBeGreaterThanOrEqual(sla.startMs + sla.targetMs);
          if (sla.endMs !== null) {
            expect(result.state).toBe(sla.endMs <= deadlineMs ? 'met' : 'breached');
          } else {
            expect(['open', 'at-risk', 'open-breached', 'paused']).toContain(result.state);
            expect(result.state === 'open-breached').toBe(sla.nowMs > deadlineMs);
          }
          expect(result.warningsCrossed).toEqual([...sla.warningShares].filter((share) => share <= result.shareOfWindow).sort((a, b) => a - b));
        }),
      );
    });
  });
});

describe('crossedWarnings', () => {
  it.each<[number | null, number, number[]]>([
    [null, 0.1, []],
    [null, 0.8, [0.5, 0.75]],
    [0.4, 0.5, [0.5]],
    [0.5, 0.6, []],
    [0.6, 0.95, [0.75, 0.9]],
    [0.95, 1.4, []],
    [0.8, 0.3, []],
  ])('from %s to %s crosses %j', (previousShare, currentShare, expected) => {
    expect(crossedWarnings(previousShare, currentShare, [0.9, 0.5, 0.75])).toEqual(expected);
  });

  it('announces each threshold exactly once over a rising series of evaluations', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { maxLength: 20 }), (samples) => {
        const shares = [...samples].sort((a, b) => a - b);
        const announced: number[] = [];
        let previous: number | null = null;
        for (const share of shares) {
          announced.push(...crossedWarnings(previous, share, SHARES));
          previous = share;
        }
        const last = shares.length === 0 ? -1 : shares[shares.length - 1];
        expect(announced).toEqual(SHARES.filter((threshold) => threshold <= last));
      }),
    );
  });
});

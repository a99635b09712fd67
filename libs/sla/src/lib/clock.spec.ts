import fc from 'fast-check';
import { effectiveDeadline, elapsedMs, isPausedAt, mergePauses, pausedDurationMs, type ClockPause } from './clock';

const closed = (startMs: number, endMs: number): ClockPause => ({ startMs, endMs });
const open = (startMs: number): ClockPause => ({ startMs, endMs: null });

/** Pauses around a small time range, open or closed, some inverted, some overlapping. */
const pauseArb = fc.record({
  startMs: fc.integer({ min: -50, max: 1_000 }),
  endMs: fc.option(fc.integer({ min: -50, max: 1_100 }), { nil: null, freq: 4 }),
});
const pausesArb = fc.array(pauseArb, { maxLength: 6 });
const timeArb = fc.integer({ min: -100, max: 1_200 });
const targetArb = fc.integer({ min: 1, max: 1_000 });

/** The same pauses with every open one stopped at `atMs`, as `effectiveDeadline` sees them. */
function closedAt(pauses: readonly ClockPause[], atMs: number): ClockPause[] {
  return pauses.map((pause) => ({ startMs: pause.startMs, endMs: pause.endMs ?? Math.max(atMs, pause.startMs) }));
}

describe('pausedDurationMs', () => {
  it.each<[string, ClockPause[], number, number, number]>([
    ['no pauses', [], 0, 100, 0],
    ['one pause inside', [closed(10, 20)], 0, 100, 10],
    ['overlapping pauses counted once', [closed(10, 30), closed(20, 40)], 0, 100, 30],
    ['nested pauses counted once', [closed(10, 50), closed(20, 30)], 0, 100, 40],
    ['adjacent pauses', [closed(10, 20), closed(20, 30)], 0, 100, 20],
    ['clipped to the range', [closed(-10, 10), closed(90, 200)], 0, 100, 20],
    ['open pause runs to the end of the range', [open(60)], 0, 100, 40],
    ['open pause after the range', [open(150)], 0, 100, 0],
    ['inverted pause stops nothing', [closed(50, 40)], 0, 100, 0],
    ['empty range', [closed(0, 100)], 50, 50, 0],
    ['reversed range', [closed(0, 100)], 80, 20, 0],
  ])('%s', (_name, pauses, fromMs, toMs, expected) => {
    expect(pausedDurationMs(pauses, fromMs, toMs)).toBe(expected);
  });

  it('does not depend on the order of the pauses', () => {
    fc.assert(
      fc.property(pausesArb, timeArb, timeArb, (pauses, fromMs, toMs) => {
        expect(pausedDurationMs([...pauses].reverse(), fromMs, toMs)).toBe(pausedDurationMs(pauses, fromMs, toMs));
      }),
    );
  });

  it('agrees with counting paused milliseconds one by one', () => {
    fc.assert(
      fc.property(pausesArb, timeArb, timeArb, (pauses, fromMs, toMs) => {
        let count = 0;
        for (let t = fromMs; t < toMs; t++) if (isPausedAt(closedAt(pauses, toMs), t)) count++;
        expect(pausedDurationMs(pauses, fromMs, toMs)).toBe(count);
      }),
    );
  });
});

describe('mergePauses', () => {
  it('returns sorted, disjoint intervals', () => {
    fc.assert(
      fc.property(pausesArb, timeArb, timeArb, (pauses, fromMs, toMs) => {
        const merged = mergePauses(pauses, fromMs, toMs);
        merged.forEach((interval, index) => {
          expect(interval.endMs).toBeGreaterThan(interval.startMs);
          expect(interval.startMs).toBeGreaterThanOrEqual(fromMs);
          expect(interval.endMs).toBeLessThanOrEqual(toMs);
          if (index > 0) expect(interval.startMs).toBeGreaterThan(merged[index - 1].endMs);
        });
      }),
    );
  });
});

describe('elapsedMs', () => {
  it('is wall time minus paused time', () => {
    expect(elapsedMs(0, 100, [])).toBe(100);
    expect(elapsedMs(0, 100, [closed(10, 30), open(90)])).toBe(70);
    expect(elapsedMs(100, 50, [])).toBe(0);
  });

  it('never exceeds wall time and is never negative', () => {
    fc.assert(
      fc.property(timeArb, timeArb, pausesArb, (startMs, endMs, pauses) => {
        const elapsed = elapsedMs(startMs, endMs, pauses);
        expect(elapsed).toBeGreaterThanOrEqual(0);
        expect(elapsed).toBeLessThanOrEqual(Math.max(0, endMs - startMs));
        expect(elapsed + pausedDurationMs(pauses, startMs, endMs)).toBe(Math.max(0, endMs - startMs));
      }),
    );
  });

  it('never decreases as the end moves later (with pauses fixed)', () => {
    fc.assert(
      fc.property(timeArb, timeArb, fc.nat(500), pausesArb, (startMs, endMs, extraMs, pauses) => {
        const fixed = closedAt(pauses, 1_200);
        expect(elapsedMs(startMs, endMs + extraMs, fixed)).toBeGreaterThanOrEqual(elapsedMs(startMs, endMs, fixed));
      }),
    );
  });
});

describe('effectiveDeadline', () => {
  it.each<[string, ClockPause[], number, number]>([
    ['no pauses', [], 200, 100],
    ['a pause inside the window pushes it', [closed(10, 30)], 200, 120],
    ['a pause before the start does nothing', [closed(-50, -10)], 200, 100],
    ['a pause straddling the start counts from the start', [closed(-50, 10)], 200, 110],
    ['a pause after the deadline does nothing', [closed(150, 170)], 200, 100],
    ['a pause starting at the deadline postpones it to its end', [closed(100, 130)], 200, 130],
    ['an open pause counts up to now', [open(40)], 60, 120],
    ['an open pause not yet begun counts nothing', [open(40)], 30, 100],
    ['overlapping pauses count once', [closed(10, 30), closed(20, 40), closed(60, 70)], 200, 140],
  ])('%s', (_name, pauses, nowMs, expected) => {
    expect(effectiveDeadline(0, 100, pauses, nowMs)).toBe(expected);
  });

  it('moves forward while the clock is stopped', () => {
    const pauses = [open(50)];
    expect(effectiveDeadline(0, 100, pauses, 60)).toBe(110);
    expect(effectiveDeadline(0, 100, pauses, 90)).toBe(140);
  });

  it('is never shortened by pauses', () => {
    fc.assert(
      fc.property(timeArb, targetArb, pausesArb, timeArb, (startMs, targetMs, pauses, nowMs) => {
        expect(effectiveDeadline(startMs, targetMs, pauses, nowMs)).toBeGreaterThanOrEqual(startMs + targetMs);
        expect(effectiveDeadline(startMs, targetMs, [], nowMs)).toBe(startMs + targetMs);
      }),
    );
  });

  it('only grows when a pause is added', () => {
    fc.assert(
      fc.property(timeArb, targetArb, pausesArb, pauseArb, timeArb, (startMs, targetMs, pauses, extra, nowMs) => {
        expect(effectiveDeadline(startMs, targetMs, [...pauses, extra], nowMs)).toBeGreaterThanOrEqual(
          effectiveDeadline(startMs, targetMs, pauses, nowMs),
        );
      }),
    );
  });

  it('is the instant counted time reaches the target, and the last one before it exceeds it', () => {
    fc.assert(
      fc.property(timeArb, targetArb, pausesArb, timeArb, (startMs, targetMs, pauses, nowMs) => {
        const deadline = effectiveDeadline(startMs, targetMs, pauses, nowMs);
        const asOfNow = closedAt(pauses, nowMs);
        expect(elapsedMs(startMs, deadline, asOfNow)).toBe(targetMs);
        expect(elapsedMs(startMs, deadline + 1, asOfNow)).toBe(targetMs + 1);
      }),
    );
  });

  it('agrees with elapsedMs on whether an end fact is on time', () => {
    fc.assert(
      fc.property(timeArb, targetArb, pausesArb, timeArb, (startMs, targetMs, pauses, endMs) => {
        const onTime = elapsedMs(startMs, endMs, pauses) <= targetMs;
        expect(endMs <= effectiveDeadline(startMs, targetMs, pauses, endMs)).toBe(onTime);
      }),
    );
  });
});

describe('isPausedAt', () => {
  it('is stopped from a pause start, running again from its end', () => {
    const pauses = [closed(10, 20), open(50)];
    expect([9, 10, 19, 20, 49, 50, 10_000].map((t) => isPausedAt(pauses, t))).toEqual([false, true, true, false, false, true, true]);
  });
});

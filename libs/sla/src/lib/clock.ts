/**
 * A stopped-clock interval (request for clarification, force majeure). `endMs: null` means the
 * clock is still stopped. An interval whose end is not after its start stops nothing; see
 * `detectClockAnomalies` for flagging it.
 */
export interface ClockPause {
  readonly startMs: number;
  readonly endMs: number | null;
  readonly reason?: string;
}

/** A half-open interval [startMs, endMs) of business time. */
export interface Interval {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * The pauses as disjoint, sorted intervals inside [fromMs, toMs]. Open pauses end at `openEndMs`
 * (the moment the caller evaluates at), because the time after that has not been stopped yet.
 */
export function mergePauses(
  pauses: readonly ClockPause[],
  fromMs: number,
  toMs: number,
  openEndMs: number = toMs,
): Interval[] {
  const clipped: Interval[] = [];
  for (const pause of pauses) {
    const startMs = Math.max(pause.startMs, fromMs);
    const endMs = Math.min(pause.endMs ?? openEndMs, toMs);
    if (endMs > startMs) clipped.push({ startMs, endMs });
  }
  clipped.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  const merged: Interval[] = [];
  for (const interval of clipped) {
    const last = merged[merged.length - 1];
    if (last !== undefined && interval.startMs <= last.endMs) {
      merged[merged.length - 1] = { startMs: last.startMs, endMs: Math.max(last.endMs, interval.endMs) };
    } else {
      merged.push(interval);
    }
  }
  return merged;
}

/** Stopped time inside [fromMs, toMs]: overlapping pauses count once, open pauses run to `toMs`. */
export function pausedDurationMs(pauses: readonly ClockPause[], fromMs: number, toMs: number): number {
  if (!(toMs > fromMs)) return 0;
  let total = 0;
  for (const interval of mergePauses(pauses, fromMs, toMs)) total += interval.endMs - interval.startMs;
  return total;
}

/**
 * Time counted against an SLA from `startMs` to `endMs` (the end fact, or "now" for an open
 * window): wall time minus stopped time, never negative. Open pauses run to `endMs`.
 */
export function elapsedMs(startMs: number, endMs: number, pauses: readonly ClockPause[]): number {
  if (!(endMs > startMs)) return 0;
  return endMs - startMs - pausedDurationMs(pauses, startMs, endMs);
}

/**
 * The moment a window of `targetMs` counted time starting at `startMs` runs out, pushed back by
 * every pause after the start. Open pauses count up to `nowMs` only (the future is not yet
 * stopped), so while the clock is stopped the deadline moves forward with `nowMs`.
 *
 * The result is the *latest* instant whose counted time is still `targetMs`: a pause beginning
 * exactly when the window runs out postpones the deadline to its end, because no counted time
 * has been exceeded until the clock runs again. Hence `endMs <= deadline` exactly when
 * `elapsedMs(startMs, endMs, pauses) <= targetMs`.
 */
export function effectiveDeadline(startMs: number, targetMs: number, pauses: readonly ClockPause[], nowMs: number): number {
  let remainingMs = Math.max(0, targetMs);
  let cursorMs = startMs;
  for (const interval of mergePauses(pauses, startMs, Number.POSITIVE_INFINITY, nowMs)) {
    if (cursorMs + remainingMs < interval.startMs) break;
    remainingMs -= interval.startMs - cursorMs;
    cursorMs = interval.endMs;
  }
  return cursorMs + remainingMs;
}

/** Whether the clock is stopped at `atMs` (a pause is stopped from its start, running again from its end). */
export function isPausedAt(pauses: readonly ClockPause[], atMs: number): boolean {
  return pauses.some((pause) => pause.startMs <= atMs && (pause.endMs === null || atMs < pause.endMs));
}

import { SLA_KINDS } from '@vigie/contracts';
import { effectiveDeadline, elapsedMs, isPausedAt, pausedDurationMs, type ClockPause } from './clock';

export type SlaKind = (typeof SLA_KINDS)[number];

export const SLA_STATES = ['met', 'breached', 'open', 'at-risk', 'open-breached', 'paused'] as const;
export type SlaState = (typeof SLA_STATES)[number];

export interface SlaEvaluationInput {
  readonly kind: SlaKind;
  /** Start of the window (notice receipt, knowledge); `null`: the window has not opened. */
  readonly startMs: number | null;
  /** The end fact (decision communicated, removal, referral); `null`: not happened yet. */
  readonly endMs: number | null;
  /** Length of the window in counted time, above 0. */
  readonly targetMs: number;
  readonly pauses: readonly ClockPause[];
  /** The business time evaluated at; only matters while the window is open. */
  readonly nowMs: number;
  readonly warningShares: readonly number[];
}

export interface SlaEvaluation {
  readonly kind: SlaKind;
  readonly state: SlaState;
  /** `false`: no start yet; state is `open`, deadline `null`, nothing counted. */
  readonly started: boolean;
  readonly ended: boolean;
  readonly targetMs: number;
  /** Counted time from the start to the end fact, or to `nowMs` while open. */
  readonly elapsedMs: number;
  /** Stopped time over the same span. */
  readonly pausedMs: number;
  /** The deadline pushed by pauses (also the breach instant); `null` when not started. */
  readonly deadlineMs: number | null;
  /** `elapsedMs / targetMs`; above 1 once breached. */
  readonly shareOfWindow: number;
  /** Warning shares at or below `shareOfWindow`, ascending. */
  readonly warningsCrossed: number[];
}

/**
 * The state of one SLA window, as of `nowMs`. Pure and total over finite inputs with
 * `targetMs > 0`, so replaying the same facts always yields the same verdict.
 *
 * - ended: `met` when counted time ≤ target (on the deadline is on time), else `breached`;
 *   an end fact before the start counts as zero time.
 * - open: `open-breached` once counted time exceeds the target — even while paused, because a
 *   pause after the deadline cannot undo a breach; else `paused` while a pause covers `nowMs`;
 *   else `at-risk` from the first warning share on; else `open`.
 * - not started (`startMs: null`, e.g. no knowledge yet): `open` with `started: false` and no
 *   deadline, whatever `endMs` says — a window that never opened is neither met nor breached.
 */
export function evaluateSla(input: SlaEvaluationInput): SlaEvaluation {
  const { kind, startMs, endMs, targetMs, pauses, nowMs } = input;
  assertFinite('nowMs', nowMs);
  if (startMs !== null) assertFinite('startMs', startMs);
  if (endMs !== null) assertFinite('endMs', endMs);
  if (!(Number.isFinite(targetMs) && targetMs > 0)) throw new RangeError(`targetMs must be a finite number above 0, got ${targetMs}`);
  pauses.forEach((pause, index) => {
    assertFinite(`pauses[${index}].startMs`, pause.startMs);
    if (pause.endMs !== null) assertFinite(`pauses[${index}].endMs`, pause.endMs);
  });
  const shares = [...new Set(input.warningShares)].sort((a, b) => a - b);
  const ended = endMs !== null;

  if (startMs === null) {
    return {
      kind,
      state: 'open',
      started: false,
      ended,
      targetMs,
      elapsedMs: 0,
      pausedMs: 0,
      deadlineMs: null,
      shareOfWindow: 0,
      warningsCrossed: [],
    };
  }

  // Once ended, the end fact bounds everything: an open pause stopped nothing after it.
  const horizonMs = endMs ?? nowMs;
  const counted = elapsedMs(startMs, horizonMs, pauses);
  const shareOfWindow = counted / targetMs;
  let state: SlaState;
  if (ended) state = counted <= targetMs ? 'met' : 'breached';
  else if (counted > targetMs) state = 'open-breached';
  else if (nowMs >= startMs && isPausedAt(pauses, nowMs)) state = 'paused';
  else if (shares.length > 0 && shareOfWindow >= shares[0]) state = 'at-risk';
  else state = 'open';

  return {
    kind,
    state,
    started: true,
    ended,
    targetMs,
    elapsedMs: counted,
    pausedMs: pausedDurationMs(pauses, startMs, horizonMs),
    deadlineMs: effectiveDeadline(startMs, targetMs, pauses, horizonMs),
    shareOfWindow,
    warningsCrossed: shares.filter((share) => share <= shareOfWindow),
  };
}

/**
 * The warning shares crossed between two evaluations, ascending, so `sla.at-risk` fires once per
 * threshold. `previousShare: null` means never evaluated before. A share that went down (a late
 * pause) crosses nothing; a threshold is crossed when the share reaches it.
 */
export function crossedWarnings(previousShare: number | null, currentShare: number, warningShares: readonly number[]): number[] {
  return [...new Set(warningShares)]
    .filter((share) => (previousShare === null || previousShare < share) && share <= currentShare)
    .sort((a, b) => a - b);
}

function assertFinite(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number of epoch milliseconds, got ${value}`);
}

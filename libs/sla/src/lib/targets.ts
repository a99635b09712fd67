import type { AbuseCategory, NoticeSourceType, SlaDurations, SlaOverride, SlaPolicy } from './policy';

/** A window: its length in counted time and its deadline before any pause pushes it. */
export interface SlaWindow {
  readonly targetMs: number;
  readonly deadlineMs: number;
}

export interface RemovalWindow extends SlaWindow {
  /** `authority-order`: the order's own deadline was sooner than the policy's and set the window. */
  readonly basis: 'policy' | 'authority-order';
}

export interface TargetQuery {
  readonly category: AbuseCategory;
  /** `null` for a case opened on own initiative (no notice, so overrides by source do not apply). */
  readonly sourceType: NoticeSourceType | null;
  /** Deadline stated in an authority order, if any. */
  readonly authorityDeadlineMs?: number | null;
  /** Start of the response window: receipt of the notice. */
  readonly startMs: number;
  /**
   * Start of the removal and referral windows: knowledge (or the provisional start). Defaults to
   * `startMs`, which is right for a qualified notice since its knowledge dates back to receipt.
   */
  readonly knowledgeMs?: number | null;
}

export interface ResolvedTargets {
  readonly policyVersion: string;
  readonly response: SlaWindow;
  readonly removal: RemovalWindow;
  /** `null`: the policy requires no Art. 18 referral for this case. */
  readonly referral: SlaWindow | null;
  /** The stricter internal removal target, never later than the removal deadline; `null`: none. */
  readonly internalRemoval: SlaWindow | null;
}

/** An authority deadline at or before the start still leaves a window, so shares stay finite. */
const SHORTEST_WINDOW_MS = 1;

/**
 * The durations that apply to a case. Each one comes from the most specific override that sets
 * it — category and source, then category, then source — else from the defaults, so a
 * category+source override may set only what differs from the category override.
 */
export function resolveDurations(policy: SlaPolicy, category: AbuseCategory, sourceType: NoticeSourceType | null): SlaDurations {
  const layers: SlaOverride[] = [];
  const find = (wantCategory: boolean, wantSource: boolean): void => {
    const match = policy.overrides.find(
      (override) =>
        (override.when.category !== undefined) === wantCategory &&
        (override.when.sourceType !== undefined) === wantSource &&
        (!wantCategory || override.when.category === category) &&
        (!wantSource || override.when.sourceType === sourceType),
    );
    if (match !== undefined) layers.push(match);
  };
  // Least specific first, so later layers overwrite.
  find(false, true);
  find(true, false);
  find(true, true);
  const durations = { ...policy.defaults };
  for (const layer of layers) {
    if (layer.responseMs !== undefined) durations.responseMs = layer.responseMs;
    if (layer.removalMs !== undefined) durations.removalMs = layer.removalMs;
    if (layer.referralMs !== undefined) durations.referralMs = layer.referralMs;
    if (layer.internalRemovalMs !== undefined) durations.internalRemovalMs = layer.internalRemovalMs;
  }
  return durations;
}

/**
 * The windows of one case. An authority deadline caps the removal window: the order wins when it
 * is sooner, and a later order deadline does not relax the policy's own target.
 */
export function resolveTargets(policy: SlaPolicy, query: TargetQuery): ResolvedTargets {
  const durations = resolveDurations(policy, query.category, query.sourceType);
  const knowledgeMs = query.knowledgeMs ?? query.startMs;
  const window = (startMs: number, targetMs: number): SlaWindow => ({ targetMs, deadlineMs: startMs + targetMs });

  let removal: RemovalWindow = { ...window(knowledgeMs, durations.removalMs), basis: 'policy' };
  const authorityDeadlineMs = query.authorityDeadlineMs;
  if (authorityDeadlineMs !== undefined && authorityDeadlineMs !== null && authorityDeadlineMs < removal.deadlineMs) {
    removal = { ...window(knowledgeMs, Math.max(SHORTEST_WINDOW_MS, authorityDeadlineMs - knowledgeMs)), basis: 'authority-order' };
  }
  return {
    policyVersion: policy.version,
    response: window(query.startMs, durations.responseMs),
    removal,
    referral: durations.referralMs === null ? null : window(knowledgeMs, durations.referralMs),
    internalRemoval:
      durations.internalRemovalMs === null ? null : window(knowledgeMs, Math.min(durations.internalRemovalMs, removal.targetMs)),
  };
}

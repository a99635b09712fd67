import { prepareSubmittedAd, type FieldProblem } from '@vigie/ad-intake';
import type { IntakeItem } from './ad-intake.service';

export type PreparedSubmission =
  | { ok: true; item: Extract<IntakeItem, { kind: 'ad' }> }
  | { ok: false; platformAdId: string | undefined; problems: FieldProblem[] };

/** One submitted ad, from untrusted JSON to a normalised intake item or the reasons it is refused. */
export function prepareSubmission(
  value: unknown,
  index: number,
  receivedAt: Date,
  maxFutureSkewMs: number,
  causationId?: string,
): PreparedSubmission {
  const prepared = prepareSubmittedAd(value, { receivedAt, maxFutureSkewMs });
  if (!prepared.ok) {
    const claimedId = (value as { platformAdId?: unknown } | null)?.platformAdId;
    return { ok: false, platformAdId: typeof claimedId === 'string' ? claimedId.slice(0, 200) : undefined, problems: prepared.problems };
  }
  return { ok: true, item: { kind: 'ad', index, causationId, normalised: prepared.normalised } };
}

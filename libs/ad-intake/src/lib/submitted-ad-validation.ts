import { validateEventData, type Ad } from '@vigie/contracts';

export interface FieldProblem {
  /** JSON pointer into the ad, e.g. `/location/country`; empty for the whole item. */
  field: string;
  reason: string;
}

export type SubmittedAdCheck = { ok: true; ad: Ad } | { ok: false; problems: FieldProblem[] };

export interface ClaimLimits {
  /** Server receipt time; the only clock Vigie trusts. */
  receivedAt: Date;
  /** How far in the future a platform's claimed timestamp may be (clock skew). */
  maxFutureSkewMs: number;
}

/**
 * An ad as a platform submits it: the contract's field rules, then the claims that need the
 * server clock (a timestamp from the future is a platform bug, not a fact to record).
 */
export function checkSubmittedAd(value: unknown, limits: ClaimLimits): SubmittedAdCheck {
  const result = validateEventData('ad.submitted', value);
  if (!result.ok) return { ok: false, problems: result.errors.map((e) => ({ field: e.path, reason: e.message })) };
  const ad = result.data;
  const latest = limits.receivedAt.getTime() + limits.maxFutureSkewMs;
  const problems: FieldProblem[] = [];
  for (const field of ['publishedAt', 'updatedAt'] as const) {
    const claimed = Date.parse(ad[field]);
    if (claimed > latest) {
      problems.push({
        field: `/${field}`,
        reason: `is ${Math.round((claimed - limits.receivedAt.getTime()) / 1000)} s in the future (server time ${limits.receivedAt.toISOString()}, tolerance ${limits.maxFutureSkewMs / 1000} s)`,
      });
    }
  }
  if (Date.parse(ad.updatedAt) < Date.parse(ad.publishedAt)) {
    problems.push({ field: '/updatedAt', reason: 'is earlier than publishedAt' });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, ad };
}

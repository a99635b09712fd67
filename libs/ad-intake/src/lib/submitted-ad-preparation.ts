import { validateEventData } from '@vigie/contracts';
import { normaliseAd, type NormalisedAd } from './ad-normalisation';
import { checkSubmittedAd, type ClaimLimits, type FieldProblem } from './submitted-ad-validation';

export type PreparedAd = { ok: true; normalised: NormalisedAd } | { ok: false; problems: FieldProblem[] };

/**
 * An ad as a platform submitted it, made ready to record: checked field by field, normalised,
 * then checked once more against the same ad contract, because normalising can itself break a
 * limit (NFKC expands some characters; trimming can empty a field). What passes needs no
 * further validation to become the `data` of an ingest event: the fields ingest adds (hash,
 * version, receipt time, channel, original text already checked as sent) are valid by
 * construction.
 */
export function prepareSubmittedAd(value: unknown, limits: ClaimLimits): PreparedAd {
  const checked = checkSubmittedAd(value, limits);
  if (!checked.ok) return checked;
  const normalised = normaliseAd(checked.ad);
  const recheck = validateEventData('ad.submitted', normalised.ad);
  if (!recheck.ok) {
    return { ok: false, problems: recheck.errors.map((e) => ({ field: e.path, reason: `${e.message} (after normalisation)` })) };
  }
  return { ok: true, normalised };
}

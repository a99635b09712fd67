import {
  getCountryCallingCode,
  isSupportedCountry,
  Metadata,
  parsePhoneNumberFromString,
  PhoneNumber,
  type CountryCode,
  type MetadataJson,
} from 'libphonenumber-js/core';
import metadataJson from 'libphonenumber-js/metadata.max.json';

/**
 * Phone number validation with libphonenumber-js (full metadata). The library's text parser
 * costs tens of microseconds per number, most of it spent on formats a digit string that the
 * prefilter already cleaned up cannot have; so the common shapes go straight to the library's
 * `PhoneNumber` and its `isValid()`:
 * - "+CC…" (or the region's international prefix, e.g. "00CC…") is already E.164;
 * - a national number becomes E.164 once the region's national prefix is stripped as the
 *   metadata describes it (only when no transform rule is involved).
 * Anything else, or anything that fails there, goes through the full parser, so the result is
 * never stricter than the library's. A unit test checks agreement with the full parser.
 */

const METADATA = metadataJson as unknown as MetadataJson;
const metadata = new Metadata(METADATA);

export const DEFAULT_PHONE_REGION: CountryCode = 'FR';

/** The ad's country as a libphonenumber region, falling back to France. */
export function phoneRegionOf(country: string | undefined): CountryCode {
  const upper = typeof country === 'string' ? country.toUpperCase() : undefined;
  return upper !== undefined && isSupportedCountry(upper as CountryCode, METADATA) ? (upper as CountryCode) : DEFAULT_PHONE_REGION;
}

/**
 * Numbering-plan accessors present at runtime but missing from the library's typings. Absent
 * values come back as 0 from the compressed metadata.
 */
interface NumberingPlanDetails {
  nationalPrefixForParsing(): unknown;
  nationalPrefixTransformRule(): unknown;
  IDDPrefix(): unknown;
}

const textOf = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

interface RegionPlan {
  readonly callingCode: string;
  /** `^(?:prefix)` when stripping needs no transform rule; null means "use the full parser". */
  readonly nationalPrefix: RegExp | null | undefined;
  readonly internationalPrefix: RegExp | undefined;
}

const plans = new Map<CountryCode, RegionPlan>();

function planFor(region: CountryCode): RegionPlan {
  let plan = plans.get(region);
  if (plan === undefined) {
    metadata.selectNumberingPlan(region);
    const details = metadata.numberingPlan as unknown as NumberingPlanDetails;
    const prefix = textOf(details.nationalPrefixForParsing());
    const simple = prefix === undefined || (!prefix.includes('(') && textOf(details.nationalPrefixTransformRule()) === undefined);
    const idd = textOf(details.IDDPrefix());
    plan = {
      callingCode: getCountryCallingCode(region, METADATA),
      nationalPrefix: !simple ? null : prefix === undefined ? undefined : new RegExp(`^(?:${prefix})`),
      internationalPrefix: idd ? new RegExp(`^(?:${idd})`) : undefined,
    };
    plans.set(region, plan);
  }
  return plan;
}

/** The library's verdict on an E.164 digit string (without the "+"). */
function validE164(digits: string): string | undefined {
  if (digits.length < 4 || digits.length > 17) return undefined;
  try {
    const phone = new PhoneNumber(`+${digits}`, METADATA);
    return phone.isValid() ? phone.number : undefined;
  } catch {
    // Unknown calling code or too short: the full parser gets the last word.
    return undefined;
  }
}

function fastPath(digits: string, plus: boolean, region: CountryCode): string | undefined {
  if (plus) return validE164(digits);
  const plan = planFor(region);
  const idd = plan.internationalPrefix?.exec(digits);
  if (idd && idd[0].length > 0) return validE164(digits.slice(idd[0].length));
  if (plan.nationalPrefix === null) return undefined;
  const prefix = plan.nationalPrefix?.exec(digits);
  const national = prefix && prefix[0].length > 0 ? digits.slice(prefix[0].length) : digits;
  return validE164(plan.callingCode + national);
}

/** E.164 form of a digit string (with `plus` when written "+…"), or undefined if not valid. */
export function validPhoneNumber(digits: string, plus: boolean, region: CountryCode): string | undefined {
  const fast = fastPath(digits, plus, region);
  if (fast !== undefined) return fast;
  const parsed = parsePhoneNumberFromString(plus ? `+${digits}` : digits, { defaultCountry: region, extract: false }, METADATA);
  return parsed !== undefined && parsed.isValid() ? parsed.number : undefined;
}

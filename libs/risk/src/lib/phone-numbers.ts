import {
  getCountryCallingCode,
  isSupportedCountry,
  Metadata,
  parsePhoneNumberFromString,
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

let lastCountry: string | undefined;
let lastRegion: CountryCode = DEFAULT_PHONE_REGION;

/** The ad's country as a libphonenumber region, falling back to France. */
export function phoneRegionOf(country: string | undefined): CountryCode {
  // Streams carry few countries, mostly in runs: the last answer is usually the one.
  if (typeof country === 'string' && country === lastCountry) return lastRegion;
  const upper = typeof country === 'string' ? country.toUpperCase() : undefined;
  const region = upper !== undefined && isSupportedCountry(upper as CountryCode, METADATA) ? (upper as CountryCode) : DEFAULT_PHONE_REGION;
  if (typeof country === 'string') {
    lastCountry = country;
    lastRegion = region;
  }
  return region;
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

/**
 * A calling code's numbering plan with its patterns compiled once. The library compiles
 * `^(?:pattern)$` afresh on every check, which was most of the cost of validating a number.
 */
interface CompiledPlan {
  readonly nationalNumber: RegExp;
  /** Undefined when the plan has no type patterns: the national pattern alone decides. */
  readonly types: readonly CompiledType[] | undefined;
}

interface CompiledType {
  readonly pattern: RegExp;
  readonly lengths: readonly number[] | undefined;
}

/** Every type `getNumberType` tries; a number of any of them is valid. */
const NUMBER_TYPES = [
  'FIXED_LINE', 'MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL',
] as const;

/** Typings of the numbering-plan accessors used here (present at runtime, absent from the .d.ts). */
interface TypedNumberingPlan {
  nationalNumberPattern(): string;
  hasTypes(): boolean;
  type(name: string): { pattern(): string; possibleLengths(): number[] | undefined } | undefined;
}

/** Present at runtime, absent from the library's typings. */
const callingCodes = metadata as unknown as { hasCallingCode(callingCode: string): boolean };

const wholeMatch = (pattern: string): RegExp => new RegExp(`^(?:${pattern})$`);

const compiledPlans = new Map<string, CompiledPlan>();

function compiledPlanFor(callingCode: string): CompiledPlan {
  let plan = compiledPlans.get(callingCode);
  if (plan === undefined) {
    // The plan `PhoneNumber#isValid()` selects for a number built from "+<calling code>…":
    // the calling code's main country (or its non-geographic plan).
    metadata.selectNumberingPlan(callingCode as CountryCode);
    const numberingPlan = metadata.numberingPlan as unknown as TypedNumberingPlan;
    let types: CompiledType[] | undefined;
    if (numberingPlan.hasTypes()) {
      types = [];
      for (const name of NUMBER_TYPES) {
        const type = numberingPlan.type(name);
        const pattern = type?.pattern();
        if (type === undefined || !pattern) continue;
        types.push({ pattern: wholeMatch(pattern), lengths: type.possibleLengths() });
      }
    }
    plan = { nationalNumber: wholeMatch(numberingPlan.nationalNumberPattern()), types };
    compiledPlans.set(callingCode, plan);
  }
  return plan;
}

const MAX_CALLING_CODE_DIGITS = 3;

/**
 * The library's verdict on an E.164 digit string (without the "+"), as
 * `new PhoneNumber("+" + digits).isValid()` gives it, from the same metadata and rules: the
 * calling code is the first prefix the metadata knows (calling codes are prefix-free), and the
 * national number must match the plan's national pattern and, when the plan has types, one
 * type's pattern among its possible lengths. A unit test checks agreement with the library.
 */
function validE164(digits: string): string | undefined {
  if (digits.length < 4 || digits.length > 17) return undefined;
  for (let length = 1; length <= MAX_CALLING_CODE_DIGITS && length < digits.length; length++) {
    const callingCode = digits.slice(0, length);
    if (!callingCodes.hasCallingCode(callingCode)) continue;
    const national = digits.slice(length);
    const plan = compiledPlanFor(callingCode);
    if (!plan.nationalNumber.test(national)) return undefined;
    if (plan.types === undefined) return `+${digits}`;
    for (const type of plan.types) {
      if (type.lengths !== undefined && !type.lengths.includes(national.length)) continue;
      if (type.pattern.test(national)) return `+${digits}`;
    }
    return undefined;
  }
  return undefined;
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

import { ValueErrorType, type ValueError, type ValueErrorIterator } from '@sinclair/typebox/errors';
import {
  AD_ID_PATTERN,
  COUNTRY_CODE_PATTERN,
  CURRENCY_CODE_PATTERN,
  ED25519_SIGNATURE_BASE64_PATTERN,
  EMAIL_PATTERN,
  HTTP_URL_PATTERN,
  ISO_DATE_PATTERN,
  ISO_TIMESTAMP_PATTERN,
  LANGUAGE_CODE_PATTERN,
  PHONE_PATTERN,
  PLATFORM_ID_PATTERN,
  SHA256_HEX_PATTERN,
  SUBJECT_PATTERN,
} from './schema/patterns';
import { UUID_V7_PATTERN } from './uuidv7';

/** A contract violation at one place in a message. `path` is a JSON Pointer, `""` is the whole message. */
export interface ContractError {
  path: string;
  message: string;
}

/** Enough to fix a message; a hostile or garbled message must not produce megabytes of errors. */
export const MAX_REPORTED_ERRORS = 20;

/** Patterns named the way a person would, so errors say what was expected rather than a regex. */
const PATTERN_NAMES = new Map<string, string>([
  [ISO_TIMESTAMP_PATTERN, 'a UTC timestamp with milliseconds, e.g. 2026-11-23T08:00:00.000Z'],
  [ISO_DATE_PATTERN, 'a date, e.g. 2026-11-23'],
  [UUID_V7_PATTERN, 'a lowercase UUIDv7'],
  [PLATFORM_ID_PATTERN, 'a platform id: lowercase letters, digits and -, 1-63 characters'],
  [AD_ID_PATTERN, "an ad id: 1-200 printable ASCII characters without ':' or spaces"],
  [SUBJECT_PATTERN, '<platform>:<adId>'],
  [COUNTRY_CODE_PATTERN, 'an ISO 3166-1 alpha-2 country code, e.g. FR'],
  [LANGUAGE_CODE_PATTERN, 'a lowercase ISO 639-1 language code, e.g. fr'],
  [CURRENCY_CODE_PATTERN, 'an ISO 4217 currency code, e.g. EUR'],
  [SHA256_HEX_PATTERN, '64 lowercase hex characters'],
  [HTTP_URL_PATTERN, 'an http(s) URL'],
  [EMAIL_PATTERN, 'an email address'],
  [PHONE_PATTERN, 'a phone number'],
  [ED25519_SIGNATURE_BASE64_PATTERN, 'a base64 Ed25519 signature'],
]);

/** A variant that failed on its type or its discriminator is not the variant the sender meant. */
const VARIANT_MISMATCH_TYPES = new Set<ValueErrorType>([
  ValueErrorType.Array,
  ValueErrorType.Boolean,
  ValueErrorType.Integer,
  ValueErrorType.Literal,
  ValueErrorType.Null,
  ValueErrorType.Number,
  ValueErrorType.Object,
  ValueErrorType.String,
]);

/**
 * TypeBox errors turned into one error per path. Union failures are resolved to the variant
 * the value was evidently meant to be (e.g. the statement variant its `decision_ground`
 * names), so the path points at the actual mistake instead of at the union.
 */
export function describeErrors(errors: Iterable<ValueError>, pathPrefix = ''): ContractError[] {
  const described: ContractError[] = [];
  const seenPaths = new Set<string>();
  for (const error of flatten(errors)) {
    const path = pathPrefix + error.path;
    if (seenPaths.has(path)) {
      continue;
    }
    seenPaths.add(path);
    described.push({ path, message: error.message });
    if (described.length === MAX_REPORTED_ERRORS) {
      break;
    }
  }
  return described;
}

function* flatten(errors: Iterable<ValueError>): Generator<{ path: string; message: string }> {
  for (const error of errors) {
    if (error.type === ValueErrorType.Union) {
      yield* explainUnion(error);
    } else {
      yield { path: error.path, message: messageFor(error) };
    }
  }
}

function* explainUnion(error: ValueError): Generator<{ path: string; message: string }> {
  const variantErrorLists = error.errors.map((iterator: ValueErrorIterator) => [...iterator]);
  const plausible = variantErrorLists.filter(
    (variantErrors) =>
      !variantErrors.some(
        (variantError) =>
          VARIANT_MISMATCH_TYPES.has(variantError.type) &&
          (variantError.path === error.path || variantError.schema['const'] !== undefined),
      ),
  );
  if (plausible.length > 0) {
    const closest = plausible.reduce((best, candidate) => (candidate.length < best.length ? candidate : best));
    yield* flatten(closest);
    return;
  }
  const variants: VariantSchema[] = error.schema['anyOf'] ?? [];
  if (variants.every((variant) => variant.const !== undefined)) {
    yield { path: error.path, message: expectedOneOf(variants.map((variant) => variant.const)) };
    return;
  }
  const discriminator = discriminatorOf(variants);
  if (discriminator && typeof error.value === 'object' && error.value !== null) {
    yield {
      path: `${error.path}/${discriminator}`,
      message: expectedOneOf(variants.map((variant) => variant.properties?.[discriminator]?.const)),
    };
    return;
  }
  const typeNames = [...new Set(variants.map((variant) => variant.type ?? 'a valid value'))];
  yield { path: error.path, message: `Expected ${typeNames.join(' or ')}` };
}

interface VariantSchema {
  type?: string;
  const?: unknown;
  properties?: Record<string, { const?: unknown }>;
}

/** The property every object variant fixes to a literal, e.g. `kind` or `decision_ground`. */
function discriminatorOf(variants: VariantSchema[]): string | undefined {
  const [first] = variants;
  return Object.keys(first?.properties ?? {}).find((key) =>
    variants.every((variant) => variant.properties?.[key]?.const !== undefined),
  );
}

function expectedOneOf(values: unknown[]): string {
  return `Expected one of ${values.map((value) => JSON.stringify(value)).join(', ')}`;
}

function messageFor(error: ValueError): string {
  switch (error.type) {
    case ValueErrorType.ObjectAdditionalProperties:
      return 'Unexpected property';
    case ValueErrorType.ObjectRequiredProperty:
      return 'Required property is missing';
    case ValueErrorType.StringPattern: {
      const pattern: string = error.schema['pattern'];
      return `Expected ${PATTERN_NAMES.get(pattern) ?? `a string matching ${pattern}`}`;
    }
    default:
      return error.message;
  }
}

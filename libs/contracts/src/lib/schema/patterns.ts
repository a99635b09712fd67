/**
 * Regular expressions shared by the schemas and by the helpers that build values for them.
 * They are strings because JSON Schema carries patterns as ECMA-262 source text.
 */

/** UTC instant with exactly millisecond precision, e.g. `2026-11-23T08:00:00.000Z`. */
export const ISO_TIMESTAMP_PATTERN =
  '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])T([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d\\.\\d{3}Z$';

/** Calendar date, e.g. `2026-11-23` (the DSA Transparency Database date format). */
export const ISO_DATE_PATTERN = '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$';

const PLATFORM_ID = '[a-z0-9][a-z0-9-]{0,62}';
const AD_ID = '(?!\\*$)[!-9;-~]{1,200}';

/** Platform (tenant) id: a lowercase slug, usable in URLs, file names and Kafka keys. */
export const PLATFORM_ID_PATTERN = `^${PLATFORM_ID}$`;

/**
 * A platform's own ad id: printable ASCII except `:` (the subject separator). `*` alone is
 * reserved for facts about a whole tenant.
 */
export const AD_ID_PATTERN = `^${AD_ID}$`;

/** Subject key meaning "the whole tenant" rather than one ad (used by audit checkpoints). */
export const TENANT_WIDE_KEY = '*';

/** `<platform id>:<ad id>`, or `<platform id>:*` for tenant-wide facts. */
export const SUBJECT_PATTERN = `^${PLATFORM_ID}:(\\*|${AD_ID})$`;

/** Emitting service or gateway, e.g. `ingest` or `platform:demo-annonces`. */
export const SOURCE_PATTERN = '^[a-z0-9][a-z0-9._:/-]{0,99}$';

/** Versions of policies and rulesets, e.g. `2026.11.1` or `hce-24h@3`. */
export const VERSION_LABEL_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._+@-]{0,63}$';

/** Machine-readable codes (indicator codes, reasons): lowercase words joined by `.`, `_` or `-`. */
export const CODE_PATTERN = '^[a-z0-9]+([._-][a-z0-9]+)*$';

export const SHA256_HEX_PATTERN = '^[0-9a-f]{64}$';
export const MD5_HEX_PATTERN = '^[0-9a-f]{32}$';
/** PDQ perceptual hash: 256 bits as 64 lowercase hex characters. */
export const PDQ_HEX_PATTERN = '^[0-9a-f]{64}$';
/** Ed25519 signature (64 bytes) in standard base64. */
export const ED25519_SIGNATURE_BASE64_PATTERN = '^[A-Za-z0-9+/]{86}==$';

/** ISO 3166-1 alpha-2 country code, e.g. `FR`. */
export const COUNTRY_CODE_PATTERN = '^[A-Z]{2}$';
/** ISO 639-1 language code in lowercase, as ads carry it, e.g. `fr`. */
export const LANGUAGE_CODE_PATTERN = '^[a-z]{2}$';
/** ISO 4217 currency code, e.g. `EUR`. */
export const CURRENCY_CODE_PATTERN = '^[A-Z]{3}$';

/*
 * The two patterns below match in time linear in the string. Written `[^\s/?#]+[^\s]*` and
 * `[^\s@]+\.[^\s@]+`, they let a string that fails at its last character be split in as many
 * ways as it has characters, each tried to the end; and TypeBox tests patterns even on strings
 * already over their maxLength: 20,000 characters took 450 ms, a 5 MB request body hours, on
 * the event loop. They accept exactly the strings they accepted then (a property spec checks).
 */
/** `http(s)://`, a first character of host, then anything but whitespace. */
export const HTTP_URL_PATTERN = '^https?://[^\\s/?#][^\\s]*$';
/**
 * `local@domain`, no whitespace or second `@`, the domain holding a dot that is neither its
 * first nor its last character: its first character, then up to its first dot after that, then
 * at least one more character.
 */
export const EMAIL_PATTERN = '^[^\\s@]+@[^\\s@][^\\s@.]*\\.[^\\s@]*[^\\s@]$';
/** A phone number as written in an ad: digits with optional `+`, spaces, dots, dashes, brackets. */
export const PHONE_PATTERN = '^\\+?[0-9][0-9 ().-]{2,31}$';

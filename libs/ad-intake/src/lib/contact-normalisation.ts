import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import { normaliseText } from './text-normalisation';

/**
 * Phones become E.164 when they parse for the ad's country (so "06 39 98 12 34" and
 * "+33 6 39 98 12 34" are one contact across ads); otherwise the value is kept as sent
 * (spaces folded), so nothing the platform sent is dropped.
 */
export function normalisePhone(raw: string, country: string): string {
  const key = `${country}|${raw}`;
  const known = recentPhones.get(key);
  if (known !== undefined) return known;
  const parsed = parsePhoneNumberFromString(raw, country as CountryCode);
  const normalised = parsed?.isValid() ? parsed.number : raw.trim().replace(/\s+/g, ' ');
  // Parsing is the dearest step of normalising an ad, and a stream repeats the same few
  // contacts across many ads (one poster, many ads). Bounded: forgotten wholesale when full.
  if (recentPhones.size >= recentPhonesLimit) recentPhones.clear();
  recentPhones.set(key, normalised);
  return normalised;
}

const recentPhonesLimit = 20_000;
const recentPhones = new Map<string, string>();

export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

/** `Telegram: @Name` and `telegram:@name` are the same handle. */
export function normaliseHandle(raw: string): string {
  return normaliseText(raw).toLowerCase().replace(/\s*:\s*/, ':');
}

/** Normalised, de-duplicated, sorted: the order a platform lists contacts in is not content. */
export function normaliseList(values: readonly string[], normalise: (value: string) => string): string[] {
  return [...new Set(values.map(normalise).filter((value) => value.length > 0))].sort();
}

import type { CountryCode } from 'libphonenumber-js/core';
import { validPhoneNumber } from './phone-numbers';
import {
  CHAR_AFTER_HIDDEN,
  CHAR_DISGUISED,
  CHAR_JOINED,
  CHAR_KEYCAP,
  CHAR_SPELLED,
  type NormalisedText,
} from './text/normalise';
import { CHANNEL_WORDS, mayStartChannelWord } from './text/channel-words';
import { digitRunEnd, isDigit, isLowerLetter, letterRunEnd, WordTable, wordSet } from './text/word-key';

/**
 * Contact details in ad text: phone numbers (a cheap digit-run scan, then libphonenumber-js),
 * e-mail addresses (also spelled "arobase", "[at]", "dot") and messaging handles
 * ("whatsapp", "telegram", "snap", "wa", "tg"…). How a contact was hidden is recorded, because
 * obfuscation is itself an indicator.
 */

export type ContactKind = 'phone' | 'email' | 'handle';

export type ObfuscationMethod =
  | 'spaced-digits'
  | 'unusual-separators'
  | 'number-words'
  | 'keycaps'
  | 'look-alike-characters'
  | 'invisible-characters'
  | 'spelled-symbols';

export interface ContactMatch {
  readonly kind: ContactKind;
  /** E.164 for phones, lowercase address for e-mails, `channel:@handle` for handles. */
  readonly value: string;
  /** Messaging service named next to it, e.g. `whatsapp`. */
  readonly channel?: string;
  readonly obfuscation: readonly ObfuscationMethod[];
  /** Normalised span. */
  readonly start: number;
  readonly end: number;
}

export { DEFAULT_PHONE_REGION, phoneRegionOf } from './phone-numbers';

const SPACE = 0x20;
const PLUS = 0x2b;
const AT = 0x40;
const DOT = 0x2e;
const OPEN_PAREN = 0x28;
const SLASH = 0x2f;
const CLOSE_PAREN = 0x29;

const MIN_PHONE_DIGITS = 8;
const MAX_PHONE_DIGITS = 15;
const MAX_GROUPS = 16;

function isStandardPhoneSeparator(code: number): boolean {
  return code === SPACE || code === DOT || code === 0x2d || code === OPEN_PAREN || code === CLOSE_PAREN || code === SLASH;
}

function isUnusualPhoneSeparator(code: number): boolean {
  return code === 0x5f || code === 0x2a || code === 0x7e || code === 0x7c;
}

/**
 * Parsed numbers by region and digits. Ads repeat numbers (reposts, networks), and parsing
 * is the most expensive step of scoring an ad, so results are kept; bounded by clearing.
 */
const nationalPhoneCaches = new Map<CountryCode, Map<string, string>>();
const internationalPhoneCaches = new Map<CountryCode, Map<string, string>>();
let cachedPhones = 0;
const PHONE_CACHE_LIMIT = 50_000;

/** Cache of one region and form, keyed by the digits alone: no key string to build per lookup. */
function phoneCacheFor(region: CountryCode, plus: boolean): Map<string, string> {
  const caches = plus ? internationalPhoneCaches : nationalPhoneCaches;
  let cache = caches.get(region);
  if (cache === undefined) {
    cache = new Map<string, string>();
    caches.set(region, cache);
  }
  return cache;
}

function validPhone(digits: string, plus: boolean, region: CountryCode): string | undefined {
  let cache = phoneCacheFor(region, plus);
  let value = cache.get(digits);
  if (value === undefined) {
    value = validPhoneNumber(digits, plus, region) ?? '';
    if (cachedPhones >= PHONE_CACHE_LIMIT) {
      nationalPhoneCaches.clear();
      internationalPhoneCaches.clear();
      cachedPhones = 0;
      cache = phoneCacheFor(region, plus);
    }
    cache.set(digits, value);
    cachedPhones++;
  }
  return value === '' ? undefined : value;
}

/** Adds `method` unless present: a set that keeps insertion order, for a handful of methods. */
function addMethod(found: ObfuscationMethod[], method: ObfuscationMethod): void {
  if (!found.includes(method)) found.push(method);
}

function obfuscationOfSpan(text: NormalisedText, start: number, end: number, found: ObfuscationMethod[]): void {
  const allFlags = text.flags;
  for (let i = start; i < end; i++) {
    const flags = allFlags[i];
    if (flags === 0) continue;
    if (flags & CHAR_JOINED) addMethod(found, 'spaced-digits');
    if (flags & CHAR_SPELLED) addMethod(found, 'number-words');
    if (flags & CHAR_KEYCAP) addMethod(found, 'keycaps');
    else if (flags & CHAR_DISGUISED) addMethod(found, 'look-alike-characters');
    if (flags & CHAR_AFTER_HIDDEN && i > start) addMethod(found, 'invisible-characters');
  }
}

interface DigitGroups {
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  count: number;
}

const groups: DigitGroups = { starts: new Int32Array(MAX_GROUPS), ends: new Int32Array(MAX_GROUPS), count: 0 };

/**
 * Digit groups from `start`, joined by at most two separators; returns the scan end. Slashes
 * must not mix with other separators: "12/05/2026 06 12…" is a date, then a number.
 */
function collectGroups(codes: Uint16Array, start: number): number {
  groups.count = 0;
  let p = start;
  let digits = 0;
  let slashes = 0;
  let others = 0;
  while (p < codes.length && groups.count < MAX_GROUPS) {
    const groupEnd = digitRunEnd(codes, p, codes.length);
    groups.starts[groups.count] = p;
    groups.ends[groups.count] = groupEnd;
    groups.count++;
    digits += groupEnd - p;
    if (digits > MAX_PHONE_DIGITS + 2) break;
    let q = groupEnd;
    let slash = false;
    while (q < codes.length && q - groupEnd < 2 && (isStandardPhoneSeparator(codes[q]) || isUnusualPhoneSeparator(codes[q]))) {
      if (codes[q] === SLASH) slash = true;
      q++;
    }
    if (q === groupEnd || q >= codes.length || !isDigit(codes[q])) break;
    if (slash ? others > 0 : slashes > 0) break;
    if (slash) slashes++;
    else others++;
    p = q;
  }
  return groups.ends[groups.count - 1];
}

/** Room for the digits of a candidate: {@link findPhones} only validates up to {@link MAX_PHONE_DIGITS} + 2. */
const digitScratch = new Uint16Array(MAX_PHONE_DIGITS + 2);

/** The digits of the first `groupCount` groups (at most MAX_PHONE_DIGITS + 2), as one string built at once. */
function digitsOf(codes: Uint16Array, groupCount: number): string {
  let length = 0;
  for (let g = 0; g < groupCount; g++) {
    for (let i = groups.starts[g]; i < groups.ends[g]; i++) digitScratch[length++] = codes[i];
  }
  return String.fromCharCode.apply(null, digitScratch.subarray(0, length) as unknown as number[]);
}

function phoneObfuscation(text: NormalisedText, start: number, groupCount: number): ObfuscationMethod[] {
  const codes = text.codes;
  const found: ObfuscationMethod[] = [];
  let singles = 0;
  for (let g = 0; g < groupCount; g++) {
    const s = groups.starts[g];
    const e = groups.ends[g];
    const bracketed = s > 0 && codes[s - 1] === OPEN_PAREN && codes[e] === CLOSE_PAREN;
    if (e - s === 1 && !bracketed) singles++;
    if (g > 0) {
      for (let i = groups.ends[g - 1]; i < s; i++) if (isUnusualPhoneSeparator(codes[i])) addMethod(found, 'unusual-separators');
    }
  }
  if (singles >= 3) addMethod(found, 'spaced-digits');
  obfuscationOfSpan(text, start, groups.ends[groupCount - 1], found);
  return found;
}

function findPhones(text: NormalisedText, region: CountryCode, channels: Map<number, string>, out: ContactMatch[]): void {
  const codes = text.codes;
  const runs = text.digitRunStarts;
  // A number starts at a run of digits or at the "+" right before one. The runs are listed by
  // normalisation; `from` is where the scan resumes after a number or a failed candidate.
  let from = Math.max(0, text.digitsStart - 1);
  for (let k = 0; k < text.digitRunCount; k++) {
    const run = runs[k];
    const international = run - 1 >= from && run > 0 && codes[run - 1] === PLUS;
    if (!international && run < from) continue;
    let i = international ? run - 1 : run;
    const digitStart = run;
    const scanEnd = collectGroups(codes, digitStart);
    let totalDigits = 0;
    for (let g = 0; g < groups.count; g++) totalDigits += groups.ends[g] - groups.starts[g];
    let matched = false;
    if (totalDigits >= MIN_PHONE_DIGITS) {
      // Longest run first, then shorter runs ending at a group boundary: a price or a second
      // number may follow the phone number with nothing but a space between them.
      let digits = totalDigits;
      for (let count = groups.count; count > 0 && digits >= MIN_PHONE_DIGITS; count--) {
        if (digits <= MAX_PHONE_DIGITS + 2) {
          const value = validPhone(digitsOf(codes, count), international, region);
          if (value !== undefined) {
            const channel = channels.size === 0 ? undefined : channels.get(i);
            const obfuscation = phoneObfuscation(text, i, count);
            const end = groups.ends[count - 1];
            // Two literals rather than a conditional spread, which copies through a slow generic path.
            out.push(
              channel === undefined
                ? { kind: 'phone', value, obfuscation, start: i, end }
                : { kind: 'phone', value, channel, obfuscation, start: i, end },
            );
            i = groups.ends[count - 1];
            matched = true;
            break;
          }
        }
        digits -= groups.ends[count - 1] - groups.starts[count - 1];
      }
    }
    // Retry from the next group: a date or a price may run into the number.
    from = matched ? i : groups.count > 1 ? groups.starts[1] : Math.max(scanEnd, i + 1);
  }
}

/** Top-level domains accepted at the end of an address; keeps "at the hotel dot" out. */
const TOP_LEVEL_DOMAINS = wordSet([
  'com', 'fr', 'net', 'org', 'be', 'ch', 'ca', 'uk', 'de', 'es', 'it', 'io', 'co', 'eu', 'info', 'biz', 'me', 'us',
  'ru', 'lu', 'nl', 'pt', 'pl', 'ro', 'ua', 'br', 'mx', 'ma', 'sn', 'ci', 'cm', 'tn', 'dz', 're', 'app', 'email',
  'mail', 'online', 'xyz', 'live', 'pro', 'cc', 'tv', 'im', 'to', 'ly', 'gg', 'ai',
]);
const SPELLED_AT = wordSet(['arobase', 'arobas', 'at']);
const SPELLED_DOT = wordSet(['dot', 'point', 'punto']);

function isLocalPartChar(code: number): boolean {
  return isLowerLetter(code) || isDigit(code) || code === DOT || code === 0x5f || code === 0x2d || code === PLUS || code === 0x25;
}

function isLabelChar(code: number): boolean {
  return isLowerLetter(code) || isDigit(code) || code === 0x2d;
}

function isOpenBracket(code: number): boolean {
  return code === OPEN_PAREN || code === 0x5b || code === 0x7b || code === 0x3c;
}

function isCloseBracket(code: number): boolean {
  return code === CLOSE_PAREN || code === 0x5d || code === 0x7d || code === 0x3e;
}

interface SymbolSpan {
  readonly start: number;
  readonly end: number;
  readonly spelled: boolean;
}

/** An "@" or "." written as such, spaced out, spelled out or in brackets, at `pos`. */
function symbolAt(codes: Uint16Array, pos: number, literal: number, spelledWords: WordTable<true>): SymbolSpan | undefined {
  let p = pos;
  let spelled = false;
  while (p < codes.length && p - pos < 2 && codes[p] === SPACE) p++;
  const bracket = p < codes.length && isOpenBracket(codes[p]);
  if (bracket) p++;
  while (p < codes.length && codes[p] === SPACE && bracket) p++;
  let end: number;
  if (codes[p] === literal) {
    end = p + 1;
  } else {
    const wordEnd = letterRunEnd(codes, p, codes.length);
    if (wordEnd === p || !spelledWords.has(codes, p, wordEnd)) return undefined;
    if (!bracket && (p === pos || codes[p - 1] !== SPACE)) return undefined;
    end = wordEnd;
    spelled = true;
  }
  if (bracket) {
    while (end < codes.length && codes[end] === SPACE) end++;
    if (!isCloseBracket(codes[end])) return undefined;
    end++;
    spelled = true;
  }
  let after = end;
  while (after < codes.length && after - end < 2 && codes[after] === SPACE) after++;
  if (spelled && !bracket && after === end) return undefined;
  return { start: pos, end: after, spelled: spelled || after > end || p > pos };
}

function findEmails(text: NormalisedText, out: ContactMatch[]): void {
  const codes = text.codes;
  for (let i = 1; i < codes.length; i++) {
    const code = codes[i];
    // Cheap filter: an address's "@" is literal, bracketed, or spelled "arobase" or "at".
    const next = i + 1 < codes.length ? codes[i + 1] : 0;
    const spelledNext = next === 0x61 && i + 2 < codes.length && (codes[i + 2] === 0x72 || codes[i + 2] === 0x74);
    const candidate = code === AT || isOpenBracket(code) || (code === SPACE && (next === AT || spelledNext || isOpenBracket(next)));
    if (!candidate) continue;
    let localEnd = i;
    const at = symbolAt(codes, i, AT, SPELLED_AT);
    if (at === undefined) continue;
    let localStart = localEnd;
    while (localStart > 0 && isLocalPartChar(codes[localStart - 1])) localStart--;
    while (localStart < localEnd && codes[localStart] === DOT) localStart++;
    while (localEnd > localStart && codes[localEnd - 1] === DOT) localEnd--;
    if (localStart === localEnd || localEnd - localStart > 64) continue;
    const labels: { start: number; end: number }[] = [];
    let spelled = at.spelled;
    let lastTld = -1;
    let p = at.end;
    let spelledUpTo = spelled;
    for (;;) {
      const labelEnd = labelRunEnd(codes, p);
      if (labelEnd === p) break;
      labels.push({ start: p, end: labelEnd });
      if (labels.length >= 2 && TOP_LEVEL_DOMAINS.has(codes, p, labelEnd)) {
        lastTld = labels.length;
        spelledUpTo = spelled;
      }
      const dot = symbolAt(codes, labelEnd, DOT, SPELLED_DOT);
      if (dot === undefined || labels.length >= 6) break;
      spelled = spelled || dot.spelled;
      p = dot.end;
    }
    if (lastTld < 0) continue;
    const domain = labels.slice(0, lastTld).map((l) => String.fromCharCode(...codes.subarray(l.start, l.end)));
    const local = String.fromCharCode(...codes.subarray(localStart, localEnd));
    const end = labels[lastTld - 1].end;
    const found: ObfuscationMethod[] = [];
    if (spelledUpTo) found.push('spelled-symbols');
    obfuscationOfSpan(text, localStart, end, found);
    out.push({ kind: 'email', value: `${local}@${domain.join('.')}`, obfuscation: found, start: localStart, end });
    i = end;
  }
}

function labelRunEnd(codes: Uint16Array, start: number): number {
  let end = start;
  while (end < codes.length && end - start < 63 && isLabelChar(codes[end])) end++;
  return end;
}

/** Words that follow a channel name but are not a handle ("snap uniquement", "telegram me"). */
const NOT_HANDLES = wordSet([
  'me', 'moi', 'only', 'uniquement', 'seulement', 'dispo', 'disponible', 'ok', 'pour', 'for', 'sur', 'on', 'et',
  'and', 'ou', 'or', 'svp', 'please', 'pls', 'message', 'msg', 'au', 'at', 'ou', 'aussi', 'also', 'direct',
  'contact', 'appel', 'call', 'sms', 'text', 'the', 'le', 'la', 'via', 'par', 'avec', 'with', 'est', 'is',
]);

const MAX_CUE_GAP = 4;
const MIN_HANDLE = 3;
const MAX_HANDLE = 32;

function isHandleChar(code: number): boolean {
  return isLowerLetter(code) || isDigit(code) || code === DOT || code === 0x5f;
}

/** Between a channel name and its handle: spaces, ":", "=", arrows, pointing emojis. */
function isCueGap(code: number): boolean {
  return !isLowerLetter(code) && !isDigit(code) && code !== AT && code !== PLUS && code !== 0x2c && code !== DOT;
}

function findHandles(text: NormalisedText, channels: Map<number, string>, out: ContactMatch[]): void {
  // Normalisation saw no word that could name a messaging service.
  if (!text.mayHaveHandle) return;
  const letters = text.letterCodes;
  const codes = text.codes;
  let i = 0;
  while (i < letters.length) {
    if (!isLowerLetter(letters[i]) || (i > 0 && isLowerLetter(letters[i - 1]))) {
      i++;
      continue;
    }
    let wordEnd = letterRunEnd(letters, i, letters.length);
    if (!mayStartChannelWord(letters[i], i + 1 < letters.length ? letters[i + 1] : 0)) {
      i = wordEnd;
      continue;
    }
    let cue = CHANNEL_WORDS.get(letters, i, wordEnd);
    // "whats app"
    if (cue === undefined && wordEnd - i === 5 && letters[i] === 0x77 && letters[wordEnd] === SPACE) {
      const appEnd = letterRunEnd(letters, wordEnd + 1, letters.length);
      if (appEnd - wordEnd === 4 && letters[wordEnd + 1] === 0x61) {
        cue = { channel: 'whatsapp', short: false };
        wordEnd = appEnd;
      }
    }
    if (cue === undefined || (wordEnd < letters.length && isDigit(letters[wordEnd]) && cue.short === false)) {
      i = wordEnd;
      continue;
    }
    let p = wordEnd;
    while (p < codes.length && p - wordEnd < MAX_CUE_GAP && isCueGap(codes[p])) p++;
    const marked = p > wordEnd && codes.subarray(wordEnd, p).some((c) => c === 0x3a || c === 0x3d || c === 0x3e);
    if (p < codes.length && (codes[p] === PLUS || isDigit(codes[p]))) {
      channels.set(p, cue.channel);
      i = p;
      continue;
    }
    const hasAt = codes[p] === AT;
    if (cue.short && !hasAt && !marked) {
      i = wordEnd;
      continue;
    }
    const handleStart = hasAt ? p + 1 : p;
    let handleEnd = handleStart;
    while (handleEnd < codes.length && handleEnd - handleStart < MAX_HANDLE && isHandleChar(codes[handleEnd])) handleEnd++;
    while (handleEnd > handleStart && codes[handleEnd - 1] === DOT) handleEnd--;
    const length = handleEnd - handleStart;
    let hasLetter = false;
    for (let k = handleStart; k < handleEnd; k++) if (isLowerLetter(codes[k])) hasLetter = true;
    if (length >= MIN_HANDLE && hasLetter && !NOT_HANDLES.has(codes, handleStart, handleEnd)) {
      const handle = String.fromCharCode(...codes.subarray(handleStart, handleEnd));
      const found: ObfuscationMethod[] = [];
      obfuscationOfSpan(text, handleStart, handleEnd, found);
      out.push({ kind: 'handle', value: `${cue.channel}:@${handle}`, channel: cue.channel, obfuscation: found, start: i, end: handleEnd });
      i = handleEnd;
      continue;
    }
    i = wordEnd;
  }
}

/** Channels named right before a number, by the number's position. Reused: extraction is synchronous. */
const channelsBeforeNumbers = new Map<number, string>();

function byStart(a: ContactMatch, b: ContactMatch): number {
  return a.start - b.start;
}

/** Every contact in the text, in order of appearance (a contact repeated is listed each time). */
export function extractContacts(text: NormalisedText, region: CountryCode): ContactMatch[] {
  const channels = channelsBeforeNumbers;
  // Map#clear allocates a new table even when empty, and the map is nearly always empty.
  if (channels.size > 0) channels.clear();
  const found: ContactMatch[] = [];
  findHandles(text, channels, found);
  if (text.mayHaveEmail) findEmails(text, found);
  if (text.hasDigits) findPhones(text, region, channels, found);
  // Each finder reports in order: a sort (stable) is needed only when kinds interleave.
  for (let k = 1; k < found.length; k++) if (found[k - 1].start > found[k].start) return found.sort(byStart);
  return found;
}

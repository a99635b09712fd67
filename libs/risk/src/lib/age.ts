import type { NormalisedText } from './text/normalise';
import { digitRunEnd, isDigit, isLowerLetter, letterRunEnd, wordSet, type WordTable } from './text/word-key';

/**
 * Stated ages: "17 ans", "dix-sept ans" (numbers are already digits after normalisation),
 * "17yo", "17 y/o", "17-year-old", "age: 17", "âge 17", "j'ai 17", "I'm 17", "née en 2009",
 * "née le 03/05/2009". Durations ("depuis 17 ans", "10 years of experience"), ranges
 * ("de 3 à 12 ans", "18-25 ans") and other people's or things' ages ("mon fils de 15 ans",
 * "bail de 3 ans") are not someone's stated age.
 */

export type AgeBasis = 'stated' | 'birth-year' | 'birth-date';

export interface AgeStatement {
  /** Youngest age consistent with the statement. */
  readonly value: number;
  /** Oldest age consistent with it (a birth year leaves a year of doubt). */
  readonly max: number;
  readonly basis: AgeBasis;
  /** Normalised span of the statement. */
  readonly start: number;
  readonly end: number;
}

export interface AgeBounds {
  readonly min: number;
  readonly max: number;
}

const SPACE = 0x20;
const HYPHEN = 0x2d;
const SLASH = 0x2f;
const DOT = 0x2e;
const COLON = 0x3a;
const APOSTROPHE = 0x27;
const EQUALS = 0x3d;
const PLUS = 0x2b;

const AGE_UNITS = wordSet(['ans', 'an', 'years', 'year', 'yrs', 'yr', 'yo', 'yoa']);
const AGE_CUES = wordSet(['age', 'agee', 'aged', 'ages']);
/** Words after "<n> ans" (possibly after "de"/"of") that make it a duration or a thing's age. */
const NOT_AN_AGE_AFTER = wordSet([
  'experience', 'experiences', 'anciennete', 'metier', 'ago', 'garantie', 'warranty', 'mariage', 'marriage',
  'service', 'carriere', 'career', 'pratique', 'practice', 'plus', 'moins', 'later', 'tard', 'avant', 'before',
  'minimum', 'min', 'max', 'maximum', 'exp', 'existence', 'activite', 'business', 'expertise',
]);
/** "de", "d'", "of": skipped to reach the noun that says what the number counts. */
const LINKERS = wordSet(['de', 'd', 'of', 'du']);
/** Words right before "<n> ans" that make it a duration or someone else's age. */
const NOT_AN_AGE_BEFORE = wordSet([
  'depuis', 'pendant', 'durant', 'for', 'since', 'over', 'after', 'apres', 'dans', 'within', 'plus', 'moins',
  'environ', 'enfant', 'enfants', 'fils', 'bebe', 'kid', 'kids', 'child', 'children', 'son', 'eleve', 'eleves',
  'neveu', 'chien', 'chat', 'dog', 'cat', 'voiture', 'car', 'bail', 'contrat', 'garantie', 'lease', 'contract',
  'warranty', 'pupils', 'students', 'boy', 'garcon', 'about', 'last', 'past', 'next', 'first', 'ces', 'these',
]);
/** "de 3 à 12 ans", "18-25 ans", "between 18 and 25": the second number of a range. */
const RANGE_WORDS = wordSet(['a', 'et', 'to', 'and', 'ou', 'or']);
const BIRTH_WORDS = wordSet(['nee', 'ne', 'born', 'naissance', 'birth']);
const BIRTH_LINKS = wordSet(['en', 'in', 'le', 'on', 'the', 'de']);
const SELF_SUBJECTS = wordSet(['ai', 'jai', 'am', 'im', 'suis']);
const SELF_UNIT_FOLLOWERS = wordSet(['et', 'and', 'tout', 'just', 'seulement', 'only']);

interface Span {
  readonly start: number;
  readonly end: number;
}

function skipBack(codes: Uint16Array, pos: number, allowed: (code: number) => boolean, limit: number): number {
  let p = pos;
  while (p > 0 && pos - p < limit && allowed(codes[p - 1])) p--;
  return p;
}

function skipForward(codes: Uint16Array, pos: number, allowed: (code: number) => boolean, limit: number): number {
  let p = pos;
  while (p < codes.length && p - pos < limit && allowed(codes[p])) p++;
  return p;
}

// Separator tests are module constants: an arrow written at the call site is a new closure per call.
const isSpace = (code: number): boolean => code === SPACE;
const isNothing = (): boolean => false;
const isSpaceOrHyphen = (code: number): boolean => code === SPACE || code === HYPHEN;
const isBirthPhraseSeparator = (code: number): boolean => code === SPACE || code === COLON || code === HYPHEN;
const isCueSeparator = (code: number): boolean =>
  code === SPACE || code === COLON || code === HYPHEN || code === EQUALS || code === DOT;

/** The word ending at or just before `pos` (skipping the given separators). */
function wordBefore(codes: Uint16Array, pos: number, separators: (code: number) => boolean = isSpaceOrHyphen): Span | undefined {
  const end = skipBack(codes, pos, separators, 3);
  let start = end;
  while (start > 0 && isLowerLetter(codes[start - 1])) start--;
  return start < end ? { start, end } : undefined;
}

function wordAfter(codes: Uint16Array, pos: number, separators: (code: number) => boolean = isSpaceOrHyphen): Span | undefined {
  const start = skipForward(codes, pos, separators, 3);
  const end = letterRunEnd(codes, start, codes.length);
  return start < end ? { start, end } : undefined;
}

function is(table: WordTable<true>, codes: Uint16Array, span: Span | undefined): boolean {
  return span !== undefined && table.has(codes, span.start, span.end);
}

const isSpaceOrApostrophe = (code: number): boolean => code === SPACE || code === APOSTROPHE;

/** The noun the number is attached to before it: "enfant de 11 ans" → "enfant". */
function headBefore(codes: Uint16Array, start: number): Span | undefined {
  const word = wordBefore(codes, start, isSpaceOrApostrophe);
  return word !== undefined && is(LINKERS, codes, word) ? wordBefore(codes, word.start, isSpaceOrApostrophe) : word;
}

/** The noun after the unit: "10 ans d'expérience" → "experience". */
function headAfter(codes: Uint16Array, unitEnd: number): Span | undefined {
  const word = wordAfter(codes, unitEnd, isSpaceOrApostrophe);
  return word !== undefined && is(LINKERS, codes, word) ? wordAfter(codes, word.end, isSpaceOrApostrophe) : word;
}

/** "il y a 17 ans": a time ago, not an age. */
function followsIlYA(codes: Uint16Array, start: number): boolean {
  const a = wordBefore(codes, start, isSpace);
  if (a === undefined || a.end - a.start !== 1 || codes[a.start] !== 0x61) return false;
  const y = wordBefore(codes, a.start, isSpace);
  return y !== undefined && y.end - y.start === 1 && codes[y.start] === 0x79;
}

function numberValue(codes: Uint16Array, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) value = value * 10 + (codes[i] - 0x30);
  return value;
}

/** End of an age unit after the number, including "y/o", "y.o", "y o"; -1 if none. */
function ageUnitEnd(codes: Uint16Array, after: number): number {
  const unit = wordAfter(codes, after);
  if (unit === undefined) return -1;
  if (AGE_UNITS.has(codes, unit.start, unit.end)) {
    // "17-year-old"
    const old = wordAfter(codes, unit.end);
    if (old !== undefined && codes[unit.end] === HYPHEN && letterRunEnd(codes, old.start, codes.length) === old.start + 3) {
      return old.end;
    }
    return unit.end;
  }
  if (unit.end - unit.start === 1 && codes[unit.start] === 0x79) {
    const sep = codes[unit.end];
    if ((sep === SLASH || sep === DOT || sep === SPACE) && codes[unit.end + 1] === 0x6f) {
      const end = unit.end + 2;
      if (end >= codes.length || !isLowerLetter(codes[end])) return end;
    }
  }
  return -1;
}

/** "de 3 à 12 ans": the number follows another number and a range word or hyphen. */
function isSecondOfRange(codes: Uint16Array, numberStart: number): boolean {
  let p = skipBack(codes, numberStart, isSpace, 2);
  if (p > 0 && codes[p - 1] === HYPHEN) {
    p = skipBack(codes, p - 1, isSpace, 2);
    return p > 0 && isDigit(codes[p - 1]);
  }
  const link = wordBefore(codes, numberStart, isSpace);
  if (link === undefined || !RANGE_WORDS.has(codes, link.start, link.end)) return false;
  p = skipBack(codes, link.start, isSpace, 2);
  if (p > 0 && isLowerLetter(codes[p - 1])) {
    // "12 ans à 15 ans": skip the first unit.
    const unit = wordBefore(codes, p, isSpace);
    if (unit !== undefined && AGE_UNITS.has(codes, unit.start, unit.end)) p = skipBack(codes, unit.start, isSpace, 2);
  }
  return p > 0 && isDigit(codes[p - 1]);
}

/** "12 à 15 ans": the number starts a range whose second number carries the unit. */
function isFirstOfRange(codes: Uint16Array, numberEnd: number): boolean {
  let p = skipForward(codes, numberEnd, isSpace, 2);
  if (codes[p] === HYPHEN) {
    p = skipForward(codes, p + 1, isSpace, 2);
    return isDigit(codes[p]);
  }
  const link = wordAfter(codes, numberEnd, isSpace);
  if (link === undefined || !RANGE_WORDS.has(codes, link.start, link.end)) return false;
  p = skipForward(codes, link.end, isSpace, 2);
  return isDigit(codes[p]);
}

function isSelfStatement(codes: Uint16Array, numberStart: number): boolean {
  const subject = wordBefore(codes, numberStart, isSpaceOrApostrophe);
  if (subject === undefined) return false;
  if (SELF_SUBJECTS.has(codes, subject.start, subject.end)) return true;
  // "j'ai", "i'm": the subject is split by the apostrophe.
  if (subject.end - subject.start <= 2 && subject.start >= 2 && codes[subject.start - 1] === APOSTROPHE) {
    const joined = new Uint16Array([codes[subject.start - 2], ...codes.subarray(subject.start, subject.end)]);
    return SELF_SUBJECTS.has(joined, 0, joined.length);
  }
  return false;
}

function endsTheClause(codes: Uint16Array, pos: number): boolean {
  const p = skipForward(codes, pos, isSpace, 2);
  if (p >= codes.length) return true;
  const code = codes[p];
  if (isDigit(code)) return false;
  if (!isLowerLetter(code)) return code !== PLUS;
  const next = wordAfter(codes, p, isNothing);
  return next !== undefined && SELF_UNIT_FOLLOWERS.has(codes, next.start, next.end);
}

function statedAge(codes: Uint16Array, start: number, end: number): AgeStatement | undefined {
  const value = numberValue(codes, start, end);
  if (codes[end] === PLUS || (start > 0 && codes[start - 1] === PLUS)) return undefined;
  const unitEnd = ageUnitEnd(codes, end);
  if (unitEnd >= 0) {
    if (is(NOT_AN_AGE_BEFORE, codes, headBefore(codes, start)) || followsIlYA(codes, start)) return undefined;
    if (is(NOT_AN_AGE_AFTER, codes, headAfter(codes, unitEnd))) return undefined;
    if (isSecondOfRange(codes, start) || isFirstOfRange(codes, end)) return undefined;
    return { value, max: value, basis: 'stated', start, end: unitEnd };
  }
  const cue = wordBefore(codes, start, isCueSeparator);
  if (cue !== undefined && AGE_CUES.has(codes, cue.start, cue.end) && !isFirstOfRange(codes, end)) {
    return { value, max: value, basis: 'stated', start: cue.start, end };
  }
  if (isSelfStatement(codes, start) && endsTheClause(codes, end)) {
    return { value, max: value, basis: 'stated', start, end };
  }
  return undefined;
}

interface DateParts {
  readonly day: number;
  readonly month: number;
  readonly start: number;
}

/** "03/05/" or "3.5." right before a year. */
function dayMonthBefore(codes: Uint16Array, yearStart: number): DateParts | undefined {
  const sep = codes[yearStart - 1];
  if (sep !== SLASH && sep !== DOT && sep !== HYPHEN) return undefined;
  let p = yearStart - 1;
  let monthStart = p;
  while (monthStart > 0 && isDigit(codes[monthStart - 1])) monthStart--;
  if (p - monthStart < 1 || p - monthStart > 2) return undefined;
  const month = numberValue(codes, monthStart, p);
  p = monthStart - 1;
  if (p < 1 || codes[p] !== sep) return undefined;
  let dayStart = p;
  while (dayStart > 0 && isDigit(codes[dayStart - 1])) dayStart--;
  if (p - dayStart < 1 || p - dayStart > 2) return undefined;
  const day = numberValue(codes, dayStart, p);
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  return { day, month, start: dayStart };
}

function birthStatement(codes: Uint16Array, start: number, end: number, reference: Date): AgeStatement | undefined {
  const year = numberValue(codes, start, end);
  const date = dayMonthBefore(codes, start);
  const phraseEnd = date === undefined ? start : date.start;
  let word = wordBefore(codes, phraseEnd, isBirthPhraseSeparator);
  let phraseStart = word?.start ?? phraseEnd;
  if (word !== undefined && is(BIRTH_LINKS, codes, word)) {
    word = wordBefore(codes, word.start, isSpaceOrHyphen);
    phraseStart = word?.start ?? phraseStart;
  }
  if (!is(BIRTH_WORDS, codes, word)) return undefined;
  const referenceYear = reference.getUTCFullYear();
  if (date !== undefined) {
    const referenceMonth = reference.getUTCMonth() + 1;
    const beforeBirthday =
      referenceMonth < date.month || (referenceMonth === date.month && reference.getUTCDate() < date.day) ? 1 : 0;
    const age = referenceYear - year - beforeBirthday;
    return { value: age, max: age, basis: 'birth-date', start: phraseStart, end };
  }
  return { value: referenceYear - year - 1, max: referenceYear - year, basis: 'birth-year', start: phraseStart, end };
}

/**
 * A later group of a phone number or list of figures ("06 12 34", "12.34"): no age there. Only
 * the preceding side is checked, so "âge 17 06 12…" still reads the age.
 */
function afterDigitGroup(codes: Uint16Array, start: number): boolean {
  const before = start > 0 && (codes[start - 1] === SPACE || codes[start - 1] === DOT) ? start - 1 : start;
  return before > 0 && isDigit(codes[before - 1]);
}

/** Every plausible age statement in the text, in order. */
export function extractAges(text: NormalisedText, reference: Date, bounds: AgeBounds): AgeStatement[] {
  const codes = text.codes;
  const statements: AgeStatement[] = [];
  if (!text.hasDigits) return statements;
  // Statements start at a run of digits: the normalised text lists them.
  const runs = text.digitRunStarts;
  for (let k = 0; k < text.digitRunCount; k++) {
    const i = runs[k];
    const end = digitRunEnd(codes, i, codes.length);
    const digits = end - i;
    const standalone = (i === 0 || !isDigit(codes[i - 1])) && (end >= codes.length || codes[end] !== DOT || !isDigit(codes[end + 1]));
    let statement: AgeStatement | undefined;
    if (standalone && digits === 2 && !afterDigitGroup(codes, i)) statement = statedAge(codes, i, end);
    else if (standalone && digits === 4) statement = birthStatement(codes, i, end, reference);
    if (statement !== undefined && statement.max >= bounds.min && statement.value <= bounds.max) {
      statements.push(statement);
    }
  }
  return statements;
}

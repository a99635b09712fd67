import {
  astralEntry,
  bmpEntry,
  bmpFlags,
  bmpFold,
  expansions,
  FOLD_DISGUISED,
  FOLD_EXPANDS,
  FOLD_HIDDEN,
  FOLD_KEYCAP,
  type FoldedCharacter,
} from './fold';
import { CHANNEL_FIRST_LETTERS, mayBeChannelWord, mayStartChannelWord } from './channel-words';
import { mayStartNumberWord, parseNumberPhrase } from './number-words';
import { digitRunEnd, isDigit, isLowerLetter, letterRunEnd, wordSet } from './word-key';

/**
 * Normalisation for matching, with an exact map back to the original text.
 *
 * Two linear passes over typed arrays, no regular expressions, no allocation per character:
 * 1. per code unit, a table read folds case, accents, compatibility forms and look-alikes,
 *    drops invisible characters and turns keycap emojis into digits;
 * 2. in place, digits spaced out one by one are joined, spelled-out numbers become digits
 *    where they form a phone number or an age, and a same-length "letters" view reads
 *    leetspeak inside words as letters (so digits stay digits for phone numbers and ages).
 *
 * Every normalised code unit keeps the [start, end) range of the original it came from; a span
 * [a, b) of normalised text maps back to [starts[a], ends[b - 1]).
 */

/** The character only looks like its normalised form (look-alike, fullwidth, circled…). */
export const CHAR_DISGUISED = 1;
/** One or more invisible characters were dropped right before this character. */
export const CHAR_AFTER_HIDDEN = 2;
/** Separators were removed right before this digit to join a spaced-out number. */
export const CHAR_JOINED = 4;
/** This digit was spelled out as a word. */
export const CHAR_SPELLED = 8;
/** This digit was a keycap emoji. */
export const CHAR_KEYCAP = 16;

/** Code in the letters view for "1" or "|" inside a word: read as either "i" or "l". */
export const AMBIGUOUS_I_OR_L = 0x01;

const SPACE = 0x20;
const HYPHEN = 0x2d;
const APOSTROPHE = 0x27;
const INITIAL_CAPACITY = 256;
/** Buffers up to this size are copied whole rather than through a view (see Compactor.run). */
const MAX_WHOLE_COPY = 1024;
/** Views are kept for texts shorter than this; longer ones are rare and get a view each time. */
const MAX_CACHED_VIEW = 4096;

/**
 * A normalised text. `codes` and `letterCodes` are exactly `length` long; `starts`, `ends` and
 * `flags` may be longer (reused buffers) and are only meaningful below `length`.
 */
export class NormalisedText {
  original = '';
  length = 0;
  /** Whether any digit survived normalisation: no digit, no phone number and no age. */
  hasDigits = false;
  /**
   * When {@link hasDigits}: every digit of {@link codes} lies in [digitsStart, digitsEnd), so
   * digit scans (phone numbers, ages) can skip the rest.
   */
  digitsStart = 0;
  digitsEnd = 0;
  /**
   * Position in {@link codes} of each run of digits (a digit not preceded by one), in order;
   * the first {@link digitRunCount} are meaningful. Phone numbers and ages start at these, so
   * their scans visit the runs rather than every code unit between them.
   */
  digitRunStarts: Int32Array = new Int32Array(16);
  digitRunCount = 0;
  /** Whether an "@" or a spelled one ("at", "arobase") appears: no e-mail address otherwise. */
  mayHaveEmail = false;
  /**
   * Whether a word of the letters view may name a messaging service ("whatsapp", "snap"…): no
   * handle otherwise. May be set for a text without one, never left unset for a text with one.
   */
  mayHaveHandle = false;
  /** Normalised code units: folded, digits joined, numbers spelled out as digits. */
  codes: Uint16Array = new Uint16Array(0);
  /** Same positions as {@link codes}, leetspeak inside words read as letters. */
  letterCodes: Uint16Array = new Uint16Array(0);
  starts: Int32Array = new Int32Array(INITIAL_CAPACITY);
  ends: Int32Array = new Int32Array(INITIAL_CAPACITY);
  flags: Uint8Array = new Uint8Array(INITIAL_CAPACITY);
  /** Backing buffers of {@link codes} and {@link letterCodes}. */
  codeBuffer: Uint16Array = new Uint16Array(INITIAL_CAPACITY);
  letterBuffer: Uint16Array = new Uint16Array(INITIAL_CAPACITY);
  /**
   * Views of the first n units of the buffers, by n, made once per buffer: creating a typed
   * array view costs more than normalising a short title, and reused buffers see the same
   * lengths again and again.
   */
  private codeViews: Uint16Array[] = [];
  private letterViews: Uint16Array[] = [];

  get text(): string {
    return codesToString(this.codes);
  }

  get letters(): string {
    return codesToString(this.letterCodes);
  }

  /** Original start of the normalised position `start`. */
  originalStart(start: number): number {
    return this.starts[start];
  }

  /** Original end of a non-empty normalised span ending at `end`. */
  originalEnd(end: number): number {
    return this.ends[end - 1];
  }

  /** Union of the flags of the normalised span [start, end). */
  flagsIn(start: number, end: number): number {
    let union = 0;
    for (let i = start; i < end; i++) union |= this.flags[i];
    return union;
  }

  /** Sets the length of the text, with {@link codes} and {@link letterCodes} to match. */
  setLength(length: number): void {
    this.length = length;
    if (length >= MAX_CACHED_VIEW) {
      this.codes = this.codeBuffer.subarray(0, length);
      this.letterCodes = this.letterBuffer.subarray(0, length);
      return;
    }
    this.codes = this.codeViews[length] ??= this.codeBuffer.subarray(0, length);
    this.letterCodes = this.letterViews[length] ??= this.letterBuffer.subarray(0, length);
  }

  /** Makes room for `capacity` code units, keeping the first `kept`. */
  reserve(capacity: number, kept: number): void {
    if (this.codeBuffer.length >= capacity) return;
    const size = Math.max(capacity, this.codeBuffer.length * 2);
    const grow = <T extends Uint16Array | Int32Array | Uint8Array>(from: T, to: T): T => {
      to.set(from.subarray(0, kept));
      return to;
    };
    this.codeBuffer = grow(this.codeBuffer, new Uint16Array(size));
    this.letterBuffer = grow(this.letterBuffer, new Uint16Array(size));
    this.codeViews = [];
    this.letterViews = [];
    this.starts = grow(this.starts, new Int32Array(size));
    this.ends = grow(this.ends, new Int32Array(size));
    this.flags = grow(this.flags, new Uint8Array(size));
  }
}

const STRING_CHUNK = 4096;

function codesToString(codes: Uint16Array): string {
  let out = '';
  for (let i = 0; i < codes.length; i += STRING_CHUNK) {
    out += String.fromCharCode.apply(null, codes.subarray(i, i + STRING_CHUNK) as unknown as number[]);
  }
  return out;
}

/** Appends a folded character of several units (rare path: checks capacity). */
function pushExpansion(t: NormalisedText, n: number, entry: FoldedCharacter, start: number, end: number, pending: number): number {
  t.reserve(n + entry.text.length + 1, n);
  let count = n;
  const flags = (entry.disguised ? CHAR_DISGUISED : 0) | pending;
  for (let k = 0; k < entry.text.length; k++) {
    const code = entry.text.charCodeAt(k);
    if (code === SPACE && count > 0 && t.codeBuffer[count - 1] === SPACE) continue;
    t.codeBuffer[count] = code;
    t.starts[count] = start;
    t.ends[count] = end;
    t.flags[count] = code === SPACE ? 0 : flags;
    count++;
  }
  return count;
}

/** Pass 1: fold each code unit through the tables; returns the folded length. */
function fold(t: NormalisedText, text: string): number {
  t.reserve(text.length + 16, 0);
  let codes = t.codeBuffer;
  let starts = t.starts;
  let ends = t.ends;
  let flags = t.flags;
  // Local references: imported bindings are property reads in compiled CommonJS.
  const table = bmpFold;
  const disguisedTable = bmpFlags;
  let n = 0;
  let pending = 0;
  // The last code written (0 before the first): kept in a local rather than read back.
  let previous = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const unit = text.charCodeAt(i);
    let code = table[unit];
    if (code < 0) code = bmpEntry(unit);
    if (code >= 0) {
      // One test, nearly always false, for "a space after a space": testing for a space first
      // branched on every space, which no predictor can guess in running text.
      if (((code ^ SPACE) | (previous ^ SPACE)) === 0) continue;
      if (n + 2 >= codes.length) {
        t.reserve(n + 16 + (length - i), n);
        codes = t.codeBuffer;
        starts = t.starts;
        ends = t.ends;
        flags = t.flags;
      }
      codes[n] = code;
      previous = code;
      starts[n] = i;
      ends[n] = i + 1;
      if (pending === 0 && unit < 0x80) {
        flags[n] = 0;
      } else {
        // A space carries no invisible-character mark.
        const carried = code === SPACE ? 0 : pending;
        flags[n] = unit < 0x80 ? carried : (disguisedTable[unit] & FOLD_DISGUISED ? CHAR_DISGUISED : 0) | carried;
      }
      pending = 0;
      n++;
      continue;
    }
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        const entry = astralEntry(((unit - 0xd800) << 10) + (low - 0xdc00) + 0x10000);
        if (entry.hidden) pending |= CHAR_AFTER_HIDDEN;
        else if (entry.text.length > 0) {
          n = pushExpansion(t, n, entry, i, i + 2, pending);
          pending = 0;
        }
        i++;
      } else {
        pending |= CHAR_AFTER_HIDDEN;
      }
    } else if (code === FOLD_KEYCAP) {
      if (n > 0 && isDigit(codes[n - 1])) {
        flags[n - 1] |= CHAR_KEYCAP | CHAR_DISGUISED;
        ends[n - 1] = i + 1;
      }
    } else if (code === FOLD_EXPANDS) {
      const entry = expansions.get(unit);
      if (entry !== undefined) {
        n = pushExpansion(t, n, entry, i, i + 1, pending);
        pending = 0;
      }
    } else if (code === FOLD_HIDDEN) {
      pending |= CHAR_AFTER_HIDDEN;
    }
    codes = t.codeBuffer;
    starts = t.starts;
    ends = t.ends;
    flags = t.flags;
    previous = n > 0 ? codes[n - 1] : 0;
  }
  return n;
}

/**
 * Separators people put between digits, standard or not. "/" is left out: "1/2/2009" is a date,
 * and joining it would hide a birth date from age extraction.
 */
export function isDigitSeparator(code: number): boolean {
  return (
    code === SPACE || code === 0x2e || code === HYPHEN || code === 0x5f || code === 0x28 || code === 0x29 ||
    code === 0x2a || code === 0x7e || code === 0x2c || code === 0x7c
  );
}

const MAX_SEPARATOR_RUN = 3;
const MIN_SINGLE_DIGIT_GROUPS_TO_JOIN = 3;
const MAX_ITEM_SEPARATOR = 2;
const MAX_LEET_DIGIT_RUN = 2;
/** Start, end, value and 1 if spelled (0 for a digit group): one item of a spelled-out number. */
const ITEM_FIELDS = 4;

/** Words after which a spelled-out number is an age even without "ans"/"years". */
const AGE_CUES = wordSet(['age', 'agee', 'aged', 'ai', 'am', 'turned', 'jai', 'im']);
/** Words after a number that make it an age. */
const AGE_UNITS = wordSet(['ans', 'an', 'years', 'year', 'yrs', 'yr', 'yo']);

/** Leetspeak digits read as letters inside words ("j3une", "p3t1te"). */
const LEET = new Int32Array(128).fill(-1);
LEET[0x30] = 0x6f; // 0 → o
LEET[0x31] = AMBIGUOUS_I_OR_L; // 1 → i or l
LEET[0x33] = 0x65; // 3 → e
LEET[0x34] = 0x61; // 4 → a
LEET[0x35] = 0x73; // 5 → s
LEET[0x37] = 0x74; // 7 → t

/**
 * Pass 2 state. Output is written in place behind the read position: joining and spelling out
 * never make the text longer, so writes never overtake reads.
 */
class Compactor {
  t!: NormalisedText;
  n = 0;
  w = 0;
  /** Scratch of {@link numberWords}: {@link ITEM_FIELDS} numbers per item. */
  private readonly items: number[] = [];

  private codes(): Uint16Array {
    return this.t.codeBuffer;
  }

  /**
   * Copies input position `r` to the output, with extra flags and a letters-view code. The
   * letters view starts as a copy of the input, so while nothing has been compacted (w === r,
   * the usual case) only differences are written.
   */
  copy(r: number, extraFlags: number, letter: number): void {
    const t = this.t;
    const w = this.w++;
    const code = t.codeBuffer[r];
    if (isDigit(code)) this.noteDigit(w);
    if (w === r) {
      if (letter !== code) t.letterBuffer[w] = letter;
      if (extraFlags !== 0) t.flags[w] |= extraFlags;
      return;
    }
    t.letterBuffer[w] = letter;
    t.codeBuffer[w] = code;
    t.starts[w] = t.starts[r];
    t.ends[w] = t.ends[r];
    t.flags[w] = t.flags[r] | extraFlags;
  }

  /**
   * Notes a digit written at `w`: a run of digits starts there unless one was written just
   * before. Digits reach the output only through {@link copy} and {@link emit}; runs of
   * anything else are copied by {@link copyRun}, which never carries a digit.
   */
  private noteDigit(w: number): void {
    const t = this.t;
    if (w > 0 && isDigit(t.codeBuffer[w - 1])) return;
    if (t.digitRunCount === t.digitRunStarts.length) {
      const grown = new Int32Array(t.digitRunStarts.length * 2);
      grown.set(t.digitRunStarts);
      t.digitRunStarts = grown;
    }
    t.digitRunStarts[t.digitRunCount++] = w;
  }

  /** Copies the input run [start, end) unchanged. */
  copyRun(start: number, end: number): void {
    const t = this.t;
    const w = this.w;
    this.w += end - start;
    if (w === start) return;
    t.codeBuffer.copyWithin(w, start, end);
    t.letterBuffer.copyWithin(w, start, end);
    t.starts.copyWithin(w, start, end);
    t.ends.copyWithin(w, start, end);
    t.flags.copyWithin(w, start, end);
  }

  emit(code: number, start: number, end: number, flags: number): void {
    const t = this.t;
    const w = this.w++;
    if (isDigit(code)) this.noteDigit(w);
    t.codeBuffer[w] = code;
    t.letterBuffer[w] = code;
    t.starts[w] = start;
    t.ends[w] = end;
    t.flags[w] = flags;
  }

  previousLetter(): boolean {
    return this.w > 0 && isLowerLetter(this.t.letterBuffer[this.w - 1]);
  }

  run(t: NormalisedText, n: number): number {
    this.t = t;
    this.n = n;
    this.w = 0;
    const codes = this.codes();
    // A small buffer is copied whole: cheaper than creating a view of its first n units.
    if (codes.length <= MAX_WHOLE_COPY) t.letterBuffer.set(codes);
    else t.letterBuffer.set(codes.subarray(0, n));
    t.hasDigits = false;
    t.digitRunCount = 0;
    t.mayHaveEmail = false;
    t.mayHaveHandle = false;
    let r = 0;
    while (r < n) {
      const code = codes[r];
      if (code >= 0x61 && code <= 0x7a) {
        if (r + 1 < n && mayStartNumberWord(code, codes[r + 1], r + 2 < n ? codes[r + 2] : 0) && !this.previousLetter()) {
          const after = this.numberWords(r);
          if (after >= 0) {
            r = after;
            continue;
          }
        }
        const end = letterRunEnd(codes, r, n);
        if (code === 0x61 && isSpelledAt(codes, r, end)) t.mayHaveEmail = true;
        if (CHANNEL_FIRST_LETTERS[code] === 1 && !t.mayHaveHandle && !this.previousLetter() && mayBeChannelWordAt(codes, r, end, n)) {
          t.mayHaveHandle = true;
        }
        this.copyRun(r, end);
        r = end;
        continue;
      }
      if (code >= 0x30 && code <= 0x39) {
        this.digitsFromHere();
        r = this.digitChain(r);
        t.digitsEnd = this.w;
        continue;
      }
      // Everything else up to the next letter, digit or leet symbol is copied as is.
      let end = r + 1;
      if (code === 0x40 || code === 0x24 || code === 0x7c || code === 0x21) {
        if (code === 0x40) t.mayHaveEmail = true;
        const letter = this.leetSymbol(code, r);
        // "$nap": a word of the letters view that starts with a symbol. Rare: not looked into.
        if (code === 0x24 && letter === 0x73) t.mayHaveHandle = true;
        this.copy(r, 0, letter);
      } else {
        while (end < n && !isLetterDigitOrLeetSymbol(codes[end])) end++;
        this.copyRun(r, end);
      }
      r = end;
    }
    return this.w;
  }

  /** "@", "$", "|", "!" read as letters between letters ("m@ssage", "$exy"). */
  private leetSymbol(code: number, r: number): number {
    if (code !== 0x40 && code !== 0x24 && code !== 0x7c && code !== 0x21) return code;
    const next = r + 1 < this.n ? this.codes()[r + 1] : 0;
    if (!isLowerLetter(next)) return code;
    if (code === 0x24) return 0x73;
    if (!this.previousLetter()) return code;
    if (code === 0x40) return 0x61;
    return code === 0x7c ? AMBIGUOUS_I_OR_L : 0x69;
  }

  /**
   * A chain of digit groups separated by short separator runs. Digits spaced out one at a time
   * ("0 6 1 2…") are obfuscation, so the chain is joined when it has at least three
   * single-digit groups; ordinary groupings ("06 12 34 56 78", "+33 (0)6 12…") are left to the
   * phone parser. Returns the read position after the chain.
   */
  private digitChain(start: number): number {
    const codes = this.codes();
    const n = this.n;
    let singles = 0;
    let end = start;
    let groups = 0;
    for (;;) {
      const groupEnd = digitRunEnd(codes, end, n);
      groups++;
      if (groupEnd - end === 1) singles++;
      end = groupEnd;
      let next = end;
      while (next < n && next - end < MAX_SEPARATOR_RUN && isDigitSeparator(codes[next])) next++;
      if (next === end || next >= n || !isDigit(codes[next])) break;
      end = next;
    }
    if (groups === 1) {
      const leet = this.previousLetter() && end - start <= MAX_LEET_DIGIT_RUN && allLeet(codes, start, end);
      for (let k = start; k < end; k++) this.copy(k, 0, leet ? LEET[codes[k]] : codes[k]);
      return end;
    }
    const join = singles >= MIN_SINGLE_DIGIT_GROUPS_TO_JOIN;
    let afterSeparator = false;
    for (let k = start; k < end; k++) {
      if (join && !isDigit(codes[k])) {
        afterSeparator = true;
        continue;
      }
      this.copy(k, afterSeparator ? CHAR_JOINED : 0, codes[k]);
      afterSeparator = false;
    }
    return end;
  }

  /**
   * An item of a spelled-out number at `start`: a number phrase, or a short literal digit
   * group. Appended to the item scratch; returns whether there was one.
   */
  private item(start: number): boolean {
    const codes = this.codes();
    const items = this.items;
    if (isDigit(codes[start])) {
      const end = digitRunEnd(codes, start, this.n);
      if (end - start > 4) return false;
      items.push(start, end, 0, 0);
      return true;
    }
    const phrase = parseNumberPhrase(codes, start, this.n);
    if (phrase === undefined) return false;
    items.push(start, phrase.end, phrase.value, 1);
    return true;
  }

  /** Notes that digits are written from the output position on. */
  private digitsFromHere(): void {
    const t = this.t;
    if (t.hasDigits) return;
    t.hasDigits = true;
    t.digitsStart = this.w;
  }

  private emitSpelled(start: number, end: number, value: number, firstFlags: number): void {
    const t = this.t;
    this.digitsFromHere();
    const originalStart = t.starts[start];
    const originalEnd = t.ends[end - 1];
    if (value >= 10) this.emit(0x30 + Math.floor(value / 10), originalStart, originalEnd, CHAR_SPELLED | firstFlags);
    this.emit(0x30 + (value % 10), originalStart, originalEnd, CHAR_SPELLED | (value >= 10 ? 0 : firstFlags));
    t.digitsEnd = this.w;
  }

  /**
   * Spelled-out numbers at `start`. Three or more number items in a row (words or short digit
   * groups) are a phone number and are joined into digits; one becomes digits only next to an
   * age cue ("dix-sept ans", "age: seventeen"), so "une jeune femme" keeps its "une".
   * Returns the read position after what was written, or -1 when nothing here was converted.
   */
  private numberWords(start: number): number {
    const codes = this.codes();
    const n = this.n;
    // Items as (start, end, value, spelled) quadruples in a reused array: most calls find one
    // ordinary word ("une", "six") and give up, and should allocate nothing doing so.
    const items = this.items;
    items.length = 0;
    if (!this.item(start)) return -1;
    const firstEnd = items[1];
    const firstValue = items[2];
    let cursor = firstEnd;
    for (;;) {
      let next = cursor;
      while (next < n && next - cursor < MAX_ITEM_SEPARATOR && isDigitSeparator(codes[next])) next++;
      if (next === cursor || next >= n) break;
      if (!this.item(next)) break;
      cursor = items[items.length - 3];
    }
    const count = items.length / ITEM_FIELDS;
    let spelled = 0;
    for (let i = 3; i < items.length; i += ITEM_FIELDS) spelled += items[i];
    // "zéro six 12 34…" or "zéro 6 12 34…" is a phone number; "un 06 12…" keeps its "un".
    if (count >= 3 && (spelled >= 2 || firstValue === 0)) {
      this.digitsFromHere();
      for (let i = 0; i < items.length; i += ITEM_FIELDS) {
        const flags = i === 0 ? 0 : CHAR_JOINED;
        const itemStart = items[i];
        const itemEnd = items[i + 1];
        if (items[i + 3] === 1) this.emitSpelled(itemStart, itemEnd, items[i + 2], flags);
        else for (let k = itemStart; k < itemEnd; k++) this.copy(k, k === itemStart ? flags : 0, codes[k]);
      }
      this.t.digitsEnd = this.w;
      return cursor;
    }
    if (!this.previousWordIsAgeCue() && !nextWordIsAgeUnit(codes, firstEnd, n)) return -1;
    this.emitSpelled(start, firstEnd, firstValue, 0);
    return firstEnd;
  }

  /** Whether the output so far ends with an age cue word ("âge:", "j'ai", "I am"). */
  private previousWordIsAgeCue(): boolean {
    const out = this.t.codeBuffer;
    let end = this.w;
    while (end > 0 && (out[end - 1] === SPACE || out[end - 1] === 0x3a || out[end - 1] === HYPHEN)) end--;
    let start = end;
    while (start > 0 && isLowerLetter(out[start - 1])) start--;
    if (start === end) return false;
    if (AGE_CUES.has(out, start, end)) return true;
    // "j'ai", "i'm": a one-letter word, an apostrophe, then the rest.
    if (start >= 2 && out[start - 1] === APOSTROPHE && isLowerLetter(out[start - 2]) && (start < 3 || !isLowerLetter(out[start - 3]))) {
      const glued = new Uint16Array(end - start + 1);
      glued[0] = out[start - 2];
      glued.set(out.subarray(start, end), 1);
      return AGE_CUES.has(glued, 0, glued.length);
    }
    return false;
  }
}

/** "at", "arobas", "arobase": the spelled "@" of an obfuscated address. */
function isSpelledAt(codes: Uint16Array, start: number, end: number): boolean {
  const length = end - start;
  if (length === 2) return codes[start + 1] === 0x74;
  return (length === 6 || length === 7) && codes[start + 1] === 0x72 && codes[start + 2] === 0x6f;
}

/**
 * Digits and symbols the letters view may read as a letter ("wh4tsapp", "sn@p"): after one,
 * a word of the letters view can run past the letter run of the codes.
 */
const MAY_READ_AS_LETTER = new Uint8Array(0x80);
for (let c = 0x30; c <= 0x39; c++) if (isLowerLetter(LEET[c])) MAY_READ_AS_LETTER[c] = 1;
MAY_READ_AS_LETTER[0x40] = 1;
MAY_READ_AS_LETTER[0x21] = 1;
MAY_READ_AS_LETTER[0x24] = 1;

/**
 * Whether the word of the letters view starting with the letter run [start, end) may name a
 * messaging service. The letters view reads a letter run as is, so the word is the run unless
 * a digit or symbol read as a letter continues it; then the answer is yes without looking.
 */
function mayBeChannelWordAt(codes: Uint16Array, start: number, end: number, length: number): boolean {
  // Handle extraction looks at no word whose first two letters start no channel word; the
  // letters view reads a letter as itself, so these are the word's first two letters there.
  if (end - start >= 2 && !mayStartChannelWord(codes[start], codes[start + 1])) return false;
  if (end < length && codes[end] < 0x80 && MAY_READ_AS_LETTER[codes[end]] === 1) return true;
  return mayBeChannelWord(codes, start, end);
}

function isLetterDigitOrLeetSymbol(code: number): boolean {
  return isLowerLetter(code) || isDigit(code) || code === 0x40 || code === 0x24 || code === 0x7c || code === 0x21;
}

function allLeet(codes: Uint16Array, start: number, end: number): boolean {
  for (let k = start; k < end; k++) if (LEET[codes[k]] < 0) return false;
  return true;
}

function nextWordIsAgeUnit(codes: Uint16Array, after: number, length: number): boolean {
  let start = after;
  while (start < length && (codes[start] === SPACE || codes[start] === HYPHEN)) start++;
  return AGE_UNITS.has(codes, start, letterRunEnd(codes, start, length));
}

const compactor = new Compactor();

/**
 * Normalises `original` into `target`, reusing its buffers; the previous content of `target`
 * is overwritten. Never throws, whatever the input.
 */
export function normaliseInto(original: string, target: NormalisedText): NormalisedText {
  const text = typeof original === 'string' ? original : '';
  const folded = fold(target, text);
  const length = compactor.run(target, folded);
  target.original = text;
  target.setLength(length);
  return target;
}

/** Normalises `original` into a new, independent {@link NormalisedText}. */
export function normalise(original: string): NormalisedText {
  return normaliseInto(original, new NormalisedText());
}

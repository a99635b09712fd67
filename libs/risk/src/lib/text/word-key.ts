/**
 * Small keyword sets looked up straight from UTF-16 code units, without building strings: a
 * word of up to {@link MAX_KEYED_WORD} ASCII letters packs exactly into a float64 integer
 * (27^11 < 2^53).
 */

export const MAX_KEYED_WORD = 11;
const NOT_A_KEY = -1;

export function isLowerLetter(code: number): boolean {
  return code >= 0x61 && code <= 0x7a;
}

export function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** Numeric key of `codes[start, end)`, or -1 when it is not a short lowercase ASCII word. */
export function wordKey(codes: ArrayLike<number>, start: number, end: number): number {
  const length = end - start;
  if (length <= 0 || length > MAX_KEYED_WORD) return NOT_A_KEY;
  let key = 0;
  for (let i = start; i < end; i++) {
    const code = codes[i];
    if (!isLowerLetter(code)) return NOT_A_KEY;
    key = key * 27 + (code - 0x60);
  }
  return key;
}

export function keyOf(word: string): number {
  const codes: number[] = [];
  for (let i = 0; i < word.length; i++) codes.push(word.charCodeAt(i));
  const key = wordKey(codes, 0, codes.length);
  if (key === NOT_A_KEY) throw new Error(`not a short lowercase ASCII word: ${word}`);
  return key;
}

/** A fixed set of short lowercase words, each carrying a value. */
export class WordTable<T> {
  private readonly byKey = new Map<number, T>();

  constructor(entries: Iterable<readonly [string, T]>) {
    for (const [word, value] of entries) this.byKey.set(keyOf(word), value);
  }

  get(codes: ArrayLike<number>, start: number, end: number): T | undefined {
    const key = wordKey(codes, start, end);
    return key === NOT_A_KEY ? undefined : this.byKey.get(key);
  }

  has(codes: ArrayLike<number>, start: number, end: number): boolean {
    return this.get(codes, start, end) !== undefined;
  }
}

export function wordSet(words: readonly string[]): WordTable<true> {
  return new WordTable(words.map((w) => [w, true] as const));
}

/** End of the run of lowercase letters starting at `start`. */
export function letterRunEnd(codes: ArrayLike<number>, start: number, length: number): number {
  let end = start;
  while (end < length && isLowerLetter(codes[end])) end++;
  return end;
}

/** End of the run of ASCII digits starting at `start`. */
export function digitRunEnd(codes: ArrayLike<number>, start: number, length: number): number {
  let end = start;
  while (end < length && isDigit(codes[end])) end++;
  return end;
}

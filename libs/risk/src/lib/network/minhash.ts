import { isWordCode } from '../lexicon/pattern-trie';
import { normalise, type NormalisedText } from '../text/normalise';
import { combine32, fmix32, fnv1a, seedSequence } from './hash32';

/**
 * MinHash over word shingles, in exact 32-bit integer arithmetic. Each permutation is the
 * MurmurHash3 finaliser of the shingle hash XOR a per-permutation seed; the fraction of equal
 * signature positions estimates the Jaccard similarity of the two shingle sets.
 */

/** Word pairs: one changed slot (a name, a city) then costs two shingles, not three. */
export const DEFAULT_SHINGLE_SIZE = 2;

/** Every number hashes alike: prices, ages and phone numbers are the slots of a template. */
const NUMBER_WORD = 0x2345;
export const DEFAULT_PERMUTATIONS = 128;

/**
 * Hashes of the word k-grams of the text (letters view, so obfuscated spellings of the same
 * template still collide; numbers all alike). Repeated shingles appear once per occurrence.
 */
export function wordShingles(text: string | NormalisedText, size = DEFAULT_SHINGLE_SIZE): Uint32Array {
  const letters = (typeof text === 'string' ? normalise(text) : text).letterCodes;
  const words: number[] = [];
  let i = 0;
  while (i < letters.length) {
    if (!isWordCode(letters[i])) {
      i++;
      continue;
    }
    let end = i;
    let digits = true;
    while (end < letters.length && isWordCode(letters[end])) {
      if (letters[end] < 0x30 || letters[end] > 0x39) digits = false;
      end++;
    }
    words.push(digits ? NUMBER_WORD : fnv1a(letters, i, end));
    i = end;
  }
  if (words.length === 0) return new Uint32Array(0);
  const k = Math.min(size, words.length);
  const out = new Uint32Array(words.length - k + 1);
  for (let s = 0; s < out.length; s++) {
    let h = k;
    for (let w = 0; w < k; w++) h = combine32(h, words[s + w]);
    out[s] = h;
  }
  return out;
}

export class MinHasher {
  private readonly seeds: Uint32Array;

  constructor(
    readonly permutations = DEFAULT_PERMUTATIONS,
    seed = 0x5bd1e995,
  ) {
    if (!Number.isInteger(permutations) || permutations < 1) throw new RangeError('permutations must be a positive integer');
    this.seeds = seedSequence(seed, permutations);
  }

  /** Signature of a shingle set; an empty set gives all 0xffffffff. */
  signature(shingles: Uint32Array, out: Uint32Array = new Uint32Array(this.permutations)): Uint32Array {
    const seeds = this.seeds;
    const count = this.permutations;
    out.fill(0xffffffff);
    for (let s = 0; s < shingles.length; s++) {
      const shingle = shingles[s];
      for (let p = 0; p < count; p++) {
        const h = fmix32(shingle ^ seeds[p]);
        if (h < out[p]) out[p] = h;
      }
    }
    return out;
  }
}

/** Share of equal positions of two signatures of the same length (offsets allow packed storage). */
export function estimateJaccard(a: Uint32Array, b: Uint32Array, aOffset = 0, bOffset = 0, length = a.length - aOffset): number {
  let equal = 0;
  for (let i = 0; i < length; i++) if (a[aOffset + i] === b[bOffset + i]) equal++;
  return equal / length;
}

/** Exact Jaccard similarity of two sets of shingle hashes. */
export function exactJaccard(a: Iterable<number>, b: Iterable<number>): number {
  const left = new Set(a);
  const right = new Set(b);
  if (left.size === 0 && right.size === 0) return 1;
  let shared = 0;
  for (const value of left) if (right.has(value)) shared++;
  return shared / (left.size + right.size - shared);
}

/**
 * Exact 32-bit integer hashing: every operation stays in int32/uint32 (Math.imul, >>> 0), so
 * results are identical on every platform and never depend on floating-point rounding.
 */

/** MurmurHash3 finaliser: a bijective avalanche of 32 bits. */
export function fmix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over UTF-16 code units [start, end). */
export function fnv1a(codes: ArrayLike<number>, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) {
    h ^= codes[i];
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

/** Order-dependent combination of two 32-bit hashes. */
export function combine32(seed: number, value: number): number {
  return fmix32(Math.imul(seed ^ 0x9e3779b9, 0x01000193) ^ value);
}

/** Small deterministic generator for hash seeds (SplitMix32-style). */
export function seedSequence(seed: number, count: number): Uint32Array {
  const out = new Uint32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (state + 0x9e3779b9) >>> 0;
    out[i] = fmix32(state);
  }
  return out;
}

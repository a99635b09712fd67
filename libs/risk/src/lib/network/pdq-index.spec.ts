import fc from 'fast-check';
import { hammingDistance256, parsePdqHex, PdqIndex, popcount32, slotSizeFor } from './pdq-index';

function hexOf(words: ArrayLike<number>): string {
  return Array.from(words, (w) => (w >>> 0).toString(16).padStart(8, '0')).join('');
}

/** A hash `distance` bits away from `words`, flipping the bits at the given positions. */
function flipped(words: ArrayLike<number>, positions: readonly number[]): Int32Array {
  const out = Int32Array.from(words);
  for (const p of positions) out[p >> 5] ^= 1 << (p & 31);
  return out;
}

function bruteForce(hashes: readonly Int32Array[], query: Int32Array, maxDistance: number): { id: number; distance: number }[] {
  return hashes
    .map((h, id) => ({ id, distance: hammingDistance256(h, 0, query, 0) }))
    .filter((m) => m.distance <= maxDistance)
    .sort((a, b) => a.distance - b.distance || a.id - b.id);
}

const word = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const hash = fc.array(word, { minLength: 8, maxLength: 8 }).map((w) => Int32Array.from(w));

describe('PDQ helpers', () => {
  it('parses 64 hex digits into 8 words and rejects anything else', () => {
    const words = parsePdqHex('ff'.repeat(32));
    expect(words && [...words]).toEqual(Array(8).fill(-1));
    expect(parsePdqHex('f'.repeat(63))).toBeUndefined();
    expect(parsePdqHex('g'.repeat(64))).toBeUndefined();
  });

  it('counts bits', () => {
    expect(popcount32(0)).toBe(0);
    expect(popcount32(-1)).toBe(32);
    expect(popcount32(0x80000001)).toBe(2);
  });
});

describe('PdqIndex', () => {
  it('returns exactly the brute-force answer on random data, near and far', () => {
    fc.assert(
      fc.property(
        fc.array(hash, { minLength: 1, maxLength: 300 }),
        fc.array(fc.tuple(fc.nat(), fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { maxLength: 40 })), { minLength: 1, maxLength: 20 }),
        fc.boolean(),
        (hashes, probes, buildFirst) => {
          const index = new PdqIndex();
          hashes.forEach((h) => index.add(hexOf(h), 'list'));
          if (buildFirst) index.build();
          return probes.every(([pick, bits]) => {
            const query = flipped(hashes[pick % hashes.length], bits);
            const found = index.match(hexOf(query)).map(({ id, distance }) => ({ id, distance }));
            return JSON.stringify(found) === JSON.stringify(bruteForce(hashes, query, 31));
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('finds matches at exactly the radius and not one bit beyond, wherever the bits fall', () => {
    const base = Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const index = new PdqIndex();
    index.add(hexOf(base), 'authority-list');
    index.build();
    // 31 flips spread so that every 32-bit word differs by 3 or 4 bits: the worst case for the filter.
    const spread = Array.from({ length: 31 }, (_, i) => (i % 8) * 32 + Math.floor(i / 8) * 9);
    expect(index.match(hexOf(flipped(base, spread)))).toEqual([{ id: 0, listId: 'authority-list', distance: 31 }]);
    const beyond = [...spread, 7 * 32 + 30];
    expect(index.match(hexOf(flipped(base, beyond)))).toEqual([]);
  });

  it('ignores low-quality hashes, both listed and queried', () => {
    const index = new PdqIndex();
    const hex = 'ab'.repeat(32);
    expect(index.add(hex, 'list', 49)).toBeUndefined();
    expect(index.size).toBe(0);
    index.add(hex, 'list', 90);
    expect(index.match(hex, 49)).toEqual([]);
    expect(index.match(hex, 50)).toEqual([{ id: 0, listId: 'list', distance: 0 }]);
  });

  it('ignores invalid hex', () => {
    const index = new PdqIndex();
    expect(index.add('not a hash', 'list')).toBeUndefined();
    expect(index.match('not a hash')).toEqual([]);
  });

  it('combines the built index and hashes added since', () => {
    const index = new PdqIndex();
    const a = Int32Array.from([9, 9, 9, 9, 9, 9, 9, 9]);
    index.add(hexOf(a), 'first');
    index.build();
    index.add(hexOf(flipped(a, [0, 1])), 'second');
    expect(index.match(hexOf(a)).map((m) => m.listId)).toEqual(['first', 'second']);
  });

  it('never matches a withdrawn hash again, built or not, and keeps the same hash on other lists', () => {
    const index = new PdqIndex();
    const a = Int32Array.from([7, 7, 7, 7, 7, 7, 7, 7]);
    const near = hexOf(flipped(a, [3]));
    index.add(hexOf(a), 'authority');
    index.add(hexOf(a), 'ngo');
    index.build();
    index.add(hexOf(a), 'authority');
    expect(index.withdraw(hexOf(a), 'authority')).toBe(2);
    expect(index.match(near).map((m) => m.listId)).toEqual(['ngo']);
    expect(index.size).toBe(1);
    expect(index.withdraw(hexOf(a), 'authority')).toBe(0);
    expect(index.withdraw(hexOf(a), 'unknown')).toBe(0);
    index.build();
    expect(index.match(near).map((m) => m.listId)).toEqual(['ngo']);
    expect(index.withdrawList('ngo')).toBe(1);
    expect(index.withdrawList('ngo')).toBe(0);
    expect(index.match(near)).toEqual([]);
    expect(index.size).toBe(0);
  });

  it('supports other radii exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 47 }), fc.array(hash, { minLength: 1, maxLength: 50 }), fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { maxLength: 50 }), (radius, hashes, bits) => {
        const index = new PdqIndex({ maxDistance: radius });
        hashes.forEach((h) => index.add(hexOf(h), 'l'));
        index.build();
        const query = flipped(hashes[0], bits);
        return JSON.stringify(index.match(hexOf(query)).map(({ id, distance }) => ({ id, distance }))) === JSON.stringify(bruteForce(hashes, query, radius));
      }),
      { numRuns: 40 },
    );
    expect(() => new PdqIndex({ maxDistance: 48 })).toThrow(RangeError);
  });

  it('stays exact when buckets overflow their slots (clustered lists)', () => {
    // Authorities' lists hold near-duplicates: many hashes share halves, so buckets hold far
    // more entries than their slot and the rest is read through the offsets.
    const clustered = fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { maxLength: 24 })), { minLength: 1, maxLength: 200 });
    fc.assert(
      fc.property(hash, clustered, fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { maxLength: 40 }), { minLength: 1, maxLength: 10 }), (seed, variants, probes) => {
        const hashes = variants.map(([shift, bits]) => flipped(seed.map((w) => w ^ shift), bits));
        const index = new PdqIndex();
        hashes.forEach((h) => index.add(hexOf(h), 'list'));
        index.build();
        return probes.every((bits) => {
          const query = flipped(seed, bits);
          const found = index.match(hexOf(query)).map(({ id, distance }) => ({ id, distance }));
          return JSON.stringify(found) === JSON.stringify(bruteForce(hashes, query, 31));
        });
      }),
      { numRuns: 60 },
    );
  });

  it('sizes bucket slots from the list size', () => {
    expect(slotSizeFor(0)).toBe(4);
    expect(slotSizeFor(100_000)).toBe(8);
    // A million hashes: buckets of about 15, slots of one 64-byte cache line.
    expect(slotSizeFor(1_000_000)).toBe(32);
    expect(slotSizeFor(100_000_000)).toBe(64);
  });

  it('stores hashes compactly', () => {
    const index = new PdqIndex();
    for (let i = 0; i < 1000; i++) index.add(hexOf([i, i, i, i, i, i, i, i]), 'l');
    index.build();
    // 32 bytes per hash, 4 per hash per table, 16 tables of bucket offsets and 4-unit slots.
    expect(index.byteLength).toBeLessThan(1024 * (32 + 2) + 1000 * 4 * 16 + 16 * 65537 * 4 + 16 * 65536 * 4 * 2 + 1);
  });
});

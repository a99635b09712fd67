import fc from 'fast-check';
import { combine32, fmix32, fnv1a } from './hash32';
import { estimateJaccard, exactJaccard, MinHasher, wordShingles } from './minhash';

describe('32-bit hashing', () => {
  it('stays in unsigned 32-bit integers and is stable', () => {
    expect(fmix32(0)).toBe(0);
    expect(fmix32(1)).toBe(0x514e28b7);
    expect(fnv1a([0x61], 0, 1)).toBe(0xe40c292c);
    fc.assert(
      fc.property(fc.integer(), fc.integer(), (a, b) => {
        const h = combine32(a, b);
        return Number.isInteger(h) && h >= 0 && h <= 0xffffffff;
      }),
    );
  });
});

describe('wordShingles', () => {
  it('hashes word pairs of the normalised text, so disguised copies collide', () => {
    const plain = wordShingles('Nouvelle en ville, massage et détente');
    expect(plain.length).toBe(5);
    expect([...wordShingles('NOUVELLE en ville - m4ssage et d3tente')]).toEqual([...plain]);
  });

  it('treats every number alike', () => {
    expect([...wordShingles('150 roses, appelle 0612345678')]).toEqual([...wordShingles('200 roses, appelle 0798765432')]);
  });

  it('keeps short texts as one shingle and empty texts as none', () => {
    expect(wordShingles('bonjour').length).toBe(1);
    expect(wordShingles(' ,; ').length).toBe(0);
  });
});

describe('MinHasher', () => {
  const hasher = new MinHasher(128);

  it('gives equal signatures for equal sets and is deterministic across instances', () => {
    const shingles = wordShingles('a b c d e f g h i j');
    expect([...hasher.signature(shingles)]).toEqual([...new MinHasher(128).signature(Uint32Array.from([...shingles].reverse()))]);
  });

  it('estimates the Jaccard similarity of shingle sets within tolerance', () => {
    // 128 permutations: the estimate's standard deviation is at most 0.5 / sqrt(128) ≈ 0.044.
    const universe = fc.integer({ min: 0, max: 0xffffffff });
    fc.assert(
      fc.property(fc.uniqueArray(universe, { minLength: 20, maxLength: 200 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.uniqueArray(universe, { maxLength: 100 }), (base, keep, extra) => {
        const a = Uint32Array.from(base);
        const b = Uint32Array.from([...base.filter((_, i) => (i * 7919) % 1000 < keep * 1000), ...extra]);
        const exact = exactJaccard(a, b);
        const estimate = estimateJaccard(hasher.signature(a), hasher.signature(b));
        return Math.abs(estimate - exact) <= 0.2;
      }),
      { numRuns: 200 },
    );
  });

  it('has a mean estimation error that shrinks to the expected level', () => {
    let totalError = 0;
    const runs = 200;
    for (let run = 0; run < runs; run++) {
      const a = Uint32Array.from({ length: 100 }, (_, i) => fmix32(run * 1000 + i));
      const b = Uint32Array.from({ length: 100 }, (_, i) => fmix32(run * 1000 + i + 40));
      totalError += Math.abs(estimateJaccard(hasher.signature(a), hasher.signature(b)) - exactJaccard(a, b));
    }
    expect(totalError / runs).toBeLessThan(0.05);
  });
});

import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { headLeafHash, inclusionProof, inclusionProofs, MerkleRootBuilder, merkleRoot, verifyInclusion } from './merkle';

const h = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

/** RFC 9162 §2.1.1 taken literally: split at the largest power of two smaller than n. */
function referenceRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return h();
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return h(Buffer.from([1]), referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

/** RFC 9162 §2.1.3.1 taken literally: the path of leaf m, from its sibling upwards. */
function referenceProof(m: number, leaves: Buffer[]): Buffer[] {
  if (leaves.length <= 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return m < k
    ? [...referenceProof(m, leaves.slice(0, k)), referenceRoot(leaves.slice(k))]
    : [...referenceProof(m - k, leaves.slice(k)), referenceRoot(leaves.slice(0, k))];
}

const leavesOf = (n: number) => Array.from({ length: n }, (_, i) => headLeafHash({ subject: `p:ad-${i}`, seq: i + 1, hash: 'ab'.repeat(32) }));

describe('Merkle tree over chain heads', () => {
  it('matches the RFC 9162 definition for every size up to 70', () => {
    for (let n = 0; n <= 70; n++) expect(merkleRoot(leavesOf(n)).toString('hex')).toBe(referenceRoot(leavesOf(n)).toString('hex'));
  });

  it('gives the RFC 9162 audit path of every leaf of every tree up to 40 leaves', () => {
    for (let n = 1; n <= 40; n++) {
      const leaves = leavesOf(n);
      for (let m = 0; m < n; m++) expect(inclusionProof(leaves, m)).toEqual(referenceProof(m, leaves).map((node) => node.toString('hex')));
    }
  });

  it('proves every leaf of random trees, and nothing else', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(), (n, pick) => {
        const leaves = leavesOf(n);
        const index = pick % n;
        const root = merkleRoot(leaves).toString('hex');
        const proof = inclusionProof(leaves, index);
        expect(verifyInclusion(leaves[index], index, n, proof, root)).toBe(true);
        if (n > 1) expect(verifyInclusion(leaves[(index + 1) % n], index, n, proof, root)).toBe(false);
      }),
    );
  });

  it('binds subject, seq and hash into the leaf', () => {
    const base = { subject: 'p:a', seq: 3, hash: 'cd'.repeat(32) };
    const leaf = headLeafHash(base).toString('hex');
    expect(headLeafHash({ ...base, seq: 4 }).toString('hex')).not.toBe(leaf);
    expect(headLeafHash({ ...base, subject: 'p:b' }).toString('hex')).not.toBe(leaf);
    expect(headLeafHash({ ...base, hash: 'ce'.repeat(32) }).toString('hex')).not.toBe(leaf);
  });

  it('hashes a leaf as SHA-256 of 0x00, subject, seq and head hash', () => {
    const head = { subject: 'p:ad-1', seq: 12, hash: 'ef'.repeat(32) };
    expect(headLeafHash(head)).toEqual(h(Buffer.from([0]), Buffer.from(`p:ad-1\n12\n${'ef'.repeat(32)}`)));
  });

  it('builds the same root one leaf at a time, in memory logarithmic in the leaves', () => {
    for (let n = 0; n <= 70; n++) {
      const builder = new MerkleRootBuilder();
      for (const leaf of leavesOf(n)) builder.add(leaf);
      expect(builder.size).toBe(n);
      expect(builder.root().toString('hex')).toBe(referenceRoot(leavesOf(n)).toString('hex'));
    }
    fc.assert(
      fc.property(fc.integer({ min: 71, max: 2000 }), (n) => {
        const builder = new MerkleRootBuilder();
        for (const leaf of leavesOf(n)) builder.add(leaf);
        expect(builder.root().toString('hex')).toBe(referenceRoot(leavesOf(n)).toString('hex'));
      }),
      { numRuns: 20 },
    );
  });

  it('can be read before more leaves are added', () => {
    const builder = new MerkleRootBuilder();
    const leaves = leavesOf(9);
    leaves.slice(0, 5).forEach((leaf) => builder.add(leaf));
    expect(builder.root().toString('hex')).toBe(referenceRoot(leaves.slice(0, 5)).toString('hex'));
    leaves.slice(5).forEach((leaf) => builder.add(leaf));
    expect(builder.root().toString('hex')).toBe(referenceRoot(leaves).toString('hex'));
  });

  it('proves several leaves of packed leaves in one pass, as inclusionProof proves each', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), (n, picks) => {
        const leaves = leavesOf(n);
        const indices = picks.map((pick) => pick % n);
        const paths = inclusionProofs(Buffer.concat(leaves), n, indices);
        const root = merkleRoot(leaves).toString('hex');
        indices.forEach((index, k) => {
          expect(paths[k]).toEqual(inclusionProof(leaves, index));
          expect(verifyInclusion(leaves[index], index, n, paths[k], root)).toBe(true);
        });
      }),
    );
  });

  it('refuses leaves outside the tree or a buffer too short', () => {
    expect(() => inclusionProofs(Buffer.alloc(64), 2, [2])).toThrow(RangeError);
    expect(() => inclusionProofs(Buffer.alloc(63), 2, [0])).toThrow(RangeError);
    expect(inclusionProofs(Buffer.alloc(32), 1, [0])).toEqual([[]]);
  });
});

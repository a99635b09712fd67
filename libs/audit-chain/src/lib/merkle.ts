import { hash } from 'node:crypto';
import { sha256 } from './hashing';

/**
 * A Merkle tree over chain heads as Certificate Transparency defines it (RFC 9162 §2.1):
 * leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || left || right), the empty tree is
 * SHA-256 of nothing. The prefixes keep a leaf from ever passing for an inner node.
 */
const NODE_PREFIX = 1;

export interface ChainHead {
  subject: string;
  seq: number;
  hash: string;
}

/** The leaf of one chain head: H(0x00 || subject "\n" seq "\n" head hash). Subjects never contain a newline. */
export function headLeafHash(head: ChainHead): Buffer {
  // One-shot hashes: a checkpoint hashes every head of a platform, millions for a large one,
  // and a Hash object per leaf and per node cost more than the hashing.
  return hash('sha256', `\u0000${head.subject}\n${head.seq}\n${head.hash}`, 'buffer');
}

const nodeInput = Buffer.alloc(65);
nodeInput[0] = NODE_PREFIX;

function nodeHash(left: Buffer, right: Buffer): Buffer {
  left.copy(nodeInput, 1);
  right.copy(nodeInput, 33);
  return hash('sha256', nodeInput, 'buffer');
}

/** Heads in leaf order: by subject, code unit by code unit (subjects are ASCII, so byte order too). */
export function sortHeads<T extends { subject: string }>(heads: T[]): T[] {
  return heads.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
}

/**
 * The tree head over leaf hashes. Pairing neighbours level by level and promoting an unpaired
 * last node gives the same tree as RFC 9162's split at the largest power of two below n.
 */
export function merkleRoot(leaves: readonly Buffer[]): Buffer {
  const builder = new MerkleRootBuilder();
  for (const leaf of leaves) builder.add(leaf);
  return builder.root();
}

/**
 * The same root as {@link merkleRoot}, from leaves given one at a time in leaf order, in
 * memory logarithmic in their number: a checkpoint over millions of chain heads reads them a
 * page at a time instead of holding them all. Keeps the roots of the complete subtrees so far,
 * at most one per height; a new leaf merges with equal heights, like a carry in binary addition.
 */
export class MerkleRootBuilder {
  private readonly hashes: Buffer[] = [];
  private readonly heights: number[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(leaf: Buffer): void {
    let node = leaf;
    let height = 0;
    while (this.heights.length > 0 && this.heights[this.heights.length - 1] === height) {
      node = nodeHash(this.hashes.pop() as Buffer, node);
      this.heights.pop();
      height++;
    }
    this.hashes.push(node);
    this.heights.push(height);
    this.count++;
  }

  /** RFC 9162: the unpaired right part hangs under the nearest complete subtree on its left. */
  root(): Buffer {
    if (this.hashes.length === 0) return sha256();
    let node = this.hashes[this.hashes.length - 1];
    for (let i = this.hashes.length - 2; i >= 0; i--) node = nodeHash(this.hashes[i], node);
    return node;
  }
}

/** The audit path of leaf `index` (RFC 9162 §2.1.3.1), hex, from the leaf's sibling upwards. */
export function inclusionProof(leaves: readonly Buffer[], index: number): string[] {
  if (index < 0 || index >= leaves.length) throw new RangeError(`leaf ${index} is outside a tree of ${leaves.length}`);
  return inclusionProofs(Buffer.concat(leaves), leaves.length, [index])[0];
}

/**
 * Audit paths of several leaves at once, over leaves packed 32 bytes apiece in one buffer (the
 * first `count`): one pass up the tree whatever the number of leaves proved, and no object
 * per leaf, for a platform with millions of chains. The buffer is overwritten level by level.
 * {@link inclusionProof} proves one leaf with it.
 */
export function inclusionProofs(packedLeaves: Buffer, count: number, indices: readonly number[]): string[][] {
  if (!Number.isInteger(count) || count < 0 || packedLeaves.length < count * 32) throw new RangeError(`the buffer holds fewer than ${count} leaves`);
  for (const index of indices) if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`leaf ${index} is outside a tree of ${count}`);
  const paths = indices.map(() => [] as string[]);
  const positions = [...indices];
  let length = count;
  while (length > 1) {
    for (let k = 0; k < positions.length; k++) {
      const sibling = positions[k] ^ 1;
      if (sibling < length) paths[k].push(packedLeaves.toString('hex', sibling * 32, sibling * 32 + 32));
      positions[k] >>= 1;
    }
    // Node i of the next level is written where leaf i was: it only reads 2i and 2i + 1.
    let next = 0;
    for (let i = 0; i < length; i += 2, next++) {
      if (i + 1 < length) nodeHash(packedLeaves.subarray(i * 32, i * 32 + 32), packedLeaves.subarray(i * 32 + 32, i * 32 + 64)).copy(packedLeaves, next * 32);
      else packedLeaves.copy(packedLeaves, next * 32, i * 32, i * 32 + 32);
    }
    length = next;
  }
  return paths;
}

/** Verifies an audit path (RFC 9162 §2.1.3.2): does the leaf sit at `index` of the tree with this root? */
export function verifyInclusion(leaf: Buffer, index: number, treeSize: number, path: readonly string[], rootHex: string): boolean {
  if (!Number.isInteger(index) || !Number.isInteger(treeSize) || index < 0 || index >= treeSize) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = leaf;
  for (const hex of path) {
    if (!/^[0-9a-f]{64}$/.test(hex)) return false;
    const p = Buffer.from(hex, 'hex');
    if (sn === 0) return false;
    if ((fn & 1) === 1 || fn === sn) {
      r = nodeHash(p, r);
      if ((fn & 1) === 0) {
        while ((fn & 1) === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && r.toString('hex') === rootHex;
}

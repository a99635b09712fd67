import { sha256 } from './hashing';

/**
 * A Merkle tree over chain heads as Certificate Transparency defines it (RFC 9162 §2.1):
 * leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || left || right), the empty tree is
 * SHA-256 of nothing. The prefixes keep a leaf from ever passing for an inner node.
 */
const LEAF_PREFIX = Buffer.from([0]);
const NODE_PREFIX = Buffer.from([1]);

export interface ChainHead {
  subject: string;
  seq: number;
  hash: string;
}

/** The leaf of one chain head: H(0x00 || subject "\n" seq "\n" head hash). Subjects never contain a newline. */
export function headLeafHash(head: ChainHead): Buffer {
  return sha256(LEAF_PREFIX, `${head.subject}\n${head.seq}\n${head.hash}`);
}

function nodeHash(left: Buffer, right: Buffer): Buffer {
  return sha256(NODE_PREFIX, left, right);
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
  if (leaves.length === 0) return sha256();
  let level = leaves.slice();
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? nodeHash(level[i], level[i + 1]) : level[i]);
    level = next;
  }
  return level[0];
}

/** The audit path of leaf `index` (RFC 9162 §2.1.3.1), hex, from the leaf's sibling upwards. */
export function inclusionProof(leaves: readonly Buffer[], index: number): string[] {
  if (index < 0 || index >= leaves.length) throw new RangeError(`leaf ${index} is outside a tree of ${leaves.length}`);
  const path: string[] = [];
  let level = leaves.slice();
  let position = index;
  while (level.length > 1) {
    const sibling = position ^ 1;
    if (sibling < level.length) path.push(level[sibling].toString('hex'));
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? nodeHash(level[i], level[i + 1]) : level[i]);
    level = next;
    position >>= 1;
  }
  return path;
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

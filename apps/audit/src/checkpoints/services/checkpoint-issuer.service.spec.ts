import { headLeafHash, merkleRoot, sortHeads } from '@vigie/audit-chain';
import { rootOfChainHeads } from './checkpoint-issuer.service';

interface StoredHead {
  tenant: string;
  subject: string;
  seq: string;
  hash: string;
}

/** `audit.chain_heads` as the paging query sees it: one tenant, subjects after a key, in order, limited. */
function fakeHeads(heads: StoredHead[]) {
  const queries: unknown[][] = [];
  const query = async (sql: string, params: unknown[]) => {
    queries.push(params);
    const [tenant, after, limit] = params as [string, string, number];
    expect(sql).toContain('ORDER BY subject LIMIT $3');
    return heads
      .filter((head) => head.tenant === tenant && head.subject > after)
      .sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0))
      .slice(0, limit)
      .map(({ subject, seq, hash }, i) => ({ subject, seq, hash, position: String(i + 1) }));
  };
  return { query, queries };
}

const hex = (n: number) => n.toString(16).padStart(64, '0');

/** Heads stored out of subject order. */
function headsOf(tenant: string, count: number): StoredHead[] {
  return Array.from({ length: count }, (_, i) => ({ tenant, subject: `${tenant}:ad-${(i * 37) % count}`, seq: String((i % 5) + 1), hash: hex(i * 7919) }));
}

function expectedRoot(heads: StoredHead[]): string {
  const leaves = sortHeads(heads.map((h) => ({ subject: h.subject, seq: Number(h.seq), hash: h.hash.trim() }))).map(headLeafHash);
  return merkleRoot(leaves).toString('hex');
}

describe('rootOfChainHeads', () => {
  it('gives the root of all the platform heads in leaf order, whatever the page size', async () => {
    const mine = headsOf('p1', 23);
    const heads = [...mine, ...headsOf('p2', 9)];
    for (const pageSize of [1, 2, 5, 22, 23, 24, 1000]) {
      const { query, queries } = fakeHeads(heads);
      expect(await rootOfChainHeads(query, 'p1', pageSize)).toBe(expectedRoot(mine));
      // Every page after the first starts after the last subject of the one before.
      expect(queries).toHaveLength(Math.floor(23 / pageSize) + 1);
    }
  });

  it('gives the root of the empty tree for a platform without heads', async () => {
    const { query } = fakeHeads(headsOf('p2', 4));
    expect(await rootOfChainHeads(query, 'p1', 3)).toBe(merkleRoot([]).toString('hex'));
  });

  it('changes when one head of one page changes', async () => {
    const heads = headsOf('p1', 12);
    const before = await rootOfChainHeads(fakeHeads(heads).query, 'p1', 5);
    heads[7] = { ...heads[7], seq: String(Number(heads[7].seq) + 1) };
    expect(await rootOfChainHeads(fakeHeads(heads).query, 'p1', 5)).not.toBe(before);
  });
});

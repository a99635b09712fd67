import { headLeafHash, merkleRoot, sortHeads } from '@vigie/audit-chain';
import type { Outbox } from '@vigie/messaging';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { AuditSettings } from '../../audit.settings';
import { CheckpointIssuer, rootOfChainHeads, type IssuedCheckpoint } from './checkpoint-issuer.service';
import type { SigningKeys } from './signing-keys.service';

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

describe('CheckpointIssuer timer', () => {
  function issuerWithRounds() {
    const logger = { warn: jest.fn(), error: jest.fn(), info: jest.fn() };
    const settings = { checkpointIntervalMs: 60_000 } as AuditSettings;
    const issuer = new CheckpointIssuer({} as DataSource, {} as SigningKeys, {} as Outbox, settings, logger as unknown as Logger);
    const rounds: { resolve: (value: IssuedCheckpoint[]) => void; reject: (error: Error) => void }[] = [];
    const issue = jest.spyOn(issuer, 'issue').mockImplementation(
      () => new Promise<IssuedCheckpoint[]>((resolve, reject) => rounds.push({ resolve, reject })),
    );
    return { issuer, issue, rounds, logger };
  }

  it('skips a tick while the previous round runs, instead of queueing rounds without bound', async () => {
    const { issuer, issue, rounds, logger } = issuerWithRounds();
    const first = issuer.tick();
    await issuer.tick();
    await issuer.tick();
    expect(issue).toHaveBeenCalledTimes(1);
    expect(issue).toHaveBeenCalledWith({ onlyWithNews: true });
    expect(issuer.skippedTicks).toBe(2);
    expect(logger.warn).toHaveBeenCalledTimes(2);
    rounds[0].resolve([]);
    await first;
    const second = issuer.tick();
    expect(issue).toHaveBeenCalledTimes(2);
    rounds[1].resolve([]);
    await second;
  });

  it('logs a failed round and runs the next tick', async () => {
    const { issuer, issue, rounds, logger } = issuerWithRounds();
    const failing = issuer.tick();
    rounds[0].reject(new Error('database gone'));
    await failing;
    expect(logger.error).toHaveBeenCalledTimes(1);
    const next = issuer.tick();
    expect(issue).toHaveBeenCalledTimes(2);
    expect(issuer.skippedTicks).toBe(0);
    rounds[1].resolve([]);
    await next;
  });
});

import {
  headLeafHash,
  merkleRoot,
  verifyCheckpointSignature,
  verifySubjectChain,
  type CheckpointData,
  type StoredRecord,
  type TamperFinding,
} from '@vigie/audit-chain';

/** Runs SQL: a pg `Pool`/`Client` (`(await pool.query(sql, params)).rows`) or a TypeORM `DataSource` adapted to it. */
export type SqlRunner = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

export interface CheckpointCheck {
  tenant: string;
  sequence: number;
  keyId: string;
  signatureValid: boolean;
  rootMatches: boolean;
  expected: { root: string; chainCount: number; recordCount: number };
  found: { root: string; chainCount: number; recordCount: number };
}

export interface VerificationReport {
  ok: boolean;
  records: number;
  subjects: number;
  findingCount: number;
  /** The first findings (at most `maxFindings`); `findingCount` counts them all. */
  findings: TamperFinding[];
  checkpoints: CheckpointCheck[];
  durationMs: number;
  recordsPerSec: number;
}

export interface VerifyOptions {
  /** Records fetched per query. */
  pageSize?: number;
  maxFindings?: number;
  /** Public keys to check signatures with, by key id; by default the ones recorded in `audit.signing_keys`. */
  publicKeys?: Map<string, string>;
  onProgress?: (done: number, total: number) => void;
}

interface PageRow {
  position: string;
  event_id: string;
  subject: string;
  tenant: string;
  type: string;
  seq: string;
  correlation_id: string | null;
  canonical: string;
  prev_hash: string;
  hash: string;
  occurred_ms: string;
  broker_ms: string;
  recorded_ms: string;
  topic: string;
  kafka_partition: number;
  kafka_offset: string;
}

const PAGE_SQL = `
  SELECT position::text, event_id::text, subject, tenant, type, seq::text, correlation_id, canonical, prev_hash, hash,
         (extract(epoch FROM occurred_at) * 1000)::bigint::text AS occurred_ms,
         (extract(epoch FROM broker_at) * 1000)::bigint::text AS broker_ms,
         (extract(epoch FROM recorded_at) * 1000)::bigint::text AS recorded_ms,
         topic, kafka_partition, kafka_offset::text
    FROM audit.log l`;

/**
 * Walks the whole log chain by chain (subject, then seq: the unique index, so memory stays at
 * one page plus one chain whatever the log's size), recomputes every hash, names every edited,
 * deleted, reordered or inserted record, and recomputes each platform's latest checkpoint from
 * the log to catch what the chains alone cannot: removed or re-hashed newest records.
 * The next page is fetched while the current one is hashed.
 */
export async function verifyAuditLog(sql: SqlRunner, options: VerifyOptions = {}): Promise<VerificationReport> {
  const started = Date.now();
  const pageSize = options.pageSize ?? 5000;
  const maxFindings = options.maxFindings ?? 1000;
  const [{ total }] = await sql('SELECT count(*)::bigint::text AS total FROM audit.log');
  const totalRecords = Number(total);
  // `c.sequence`, qualified: a bare `sequence` in ORDER BY names the text output column (so 9 > 10).
  const latest = (await sql(
    `SELECT DISTINCT ON (c.tenant) c.tenant, c.sequence::text, c.up_to_position::text, c.data FROM audit.checkpoints c ORDER BY c.tenant, c.sequence DESC`,
  )) as { tenant: string; sequence: string; up_to_position: string; data: CheckpointData }[];
  const checkpointOf = new Map(latest.map((row) => [row.tenant, { upTo: BigInt(row.up_to_position), data: row.data, leaves: [] as Buffer[], records: 0 }]));

  const findings: TamperFinding[] = [];
  let findingCount = 0;
  const addFindings = (more: TamperFinding[]) => {
    findingCount += more.length;
    for (const finding of more) if (findings.length < maxFindings) findings.push(finding);
  };

  let records = 0;
  let subjects = 0;
  let chain: StoredRecord[] = [];
  let chainSubject: string | undefined;
  let chainTenant = '';
  const closeChain = () => {
    if (chainSubject === undefined) return;
    subjects += 1;
    addFindings(verifySubjectChain(chainSubject, chain));
    const checkpoint = checkpointOf.get(chainTenant);
    if (checkpoint) {
      // The chain's head as the checkpoint saw it: its last record at or before the cut.
      let head: StoredRecord | undefined;
      for (const record of chain) if (BigInt(record.position as string) <= checkpoint.upTo) head = record;
      if (head) {
        checkpoint.leaves.push(headLeafHash({ subject: chainSubject, seq: head.seq, hash: head.hash }));
        checkpoint.records += head.seq;
      }
    }
    chain = [];
  };

  const fetchPage = (after: { subject: string; seq: string } | undefined) =>
    sql(
      // `l.seq`, qualified: a bare `seq` in ORDER BY names the text output column (10 before 2), which
      // would walk every chain of 10 or more records out of order and report it as tampered with.
      after ? `${PAGE_SQL} WHERE (l.subject, l.seq) > ($1, $2::bigint) ORDER BY l.subject, l.seq LIMIT $3` : `${PAGE_SQL} ORDER BY l.subject, l.seq LIMIT $1`,
      after ? [after.subject, after.seq, pageSize] : [pageSize],
    ) as unknown as Promise<PageRow[]>;

  let next = fetchPage(undefined);
  for (;;) {
    const page = await next;
    if (page.length === pageSize) {
      const last = page[page.length - 1];
      next = fetchPage({ subject: last.subject, seq: last.seq });
    }
    for (const row of page) {
      if (row.subject !== chainSubject) {
        closeChain();
        chainSubject = row.subject;
        chainTenant = row.tenant;
      }
      chain.push({
        position: row.position,
        subject: row.subject,
        seq: Number(row.seq),
        canonical: row.canonical,
        prevHash: row.prev_hash,
        hash: row.hash,
        columns: {
          eventId: row.event_id,
          tenant: row.tenant,
          type: row.type,
          correlationId: row.correlation_id,
          occurredAtMs: Number(row.occurred_ms),
          brokerAtMs: Number(row.broker_ms),
          recordedAtMs: Number(row.recorded_ms),
          topic: row.topic,
          partition: row.kafka_partition,
          offset: row.kafka_offset,
        },
      });
    }
    records += page.length;
    options.onProgress?.(records, Math.max(records, totalRecords));
    if (page.length < pageSize) break;
  }
  closeChain();

  const checkpoints: CheckpointCheck[] = [];
  const storedKeys = options.publicKeys ?? new Map(
    ((await sql('SELECT key_id, public_key_pem FROM audit.signing_keys')) as { key_id: string; public_key_pem: string }[]).map((row) => [row.key_id, row.public_key_pem]),
  );
  for (const [tenant, checkpoint] of checkpointOf) {
    const data = checkpoint.data;
    const publicKey = storedKeys.get(data.keyId);
    const found = { root: merkleRoot(checkpoint.leaves).toString('hex'), chainCount: checkpoint.leaves.length, recordCount: checkpoint.records };
    const check: CheckpointCheck = {
      tenant,
      sequence: data.sequence,
      keyId: data.keyId,
      signatureValid: publicKey !== undefined && verifyCheckpointSignature(data, publicKey),
      rootMatches: found.root === data.root && found.chainCount === data.chainCount && found.recordCount === data.recordCount,
      expected: { root: data.root, chainCount: data.chainCount, recordCount: data.recordCount },
      found,
    };
    checkpoints.push(check);
    if (!check.rootMatches) addFindings(await nameTruncations(sql, tenant, check));
  }

  const durationMs = Date.now() - started;
  return {
    ok: findingCount === 0 && checkpoints.every((c) => c.signatureValid && c.rootMatches),
    records,
    subjects,
    findingCount,
    findings,
    checkpoints,
    durationMs,
    recordsPerSec: durationMs > 0 ? Math.round((records / durationMs) * 1000) : records,
  };
}

/**
 * The log no longer matches a signed checkpoint. The chain-head cache (never trusted for the
 * verdict, only to point at suspects) usually still remembers the longer chains.
 */
async function nameTruncations(sql: SqlRunner, tenant: string, check: CheckpointCheck): Promise<TamperFinding[]> {
  const missing = check.expected.recordCount - check.found.recordCount;
  const rows = (await sql(
    `SELECT h.subject, h.seq::text AS cached_seq, coalesce(m.max_seq, 0)::text AS log_seq
       FROM audit.chain_heads h
       LEFT JOIN LATERAL (SELECT max(seq) AS max_seq FROM audit.log l WHERE l.subject = h.subject) m ON true
      WHERE h.tenant = $1 AND coalesce(m.max_seq, 0) < h.seq`,
    [tenant],
  )) as { subject: string; cached_seq: string; log_seq: string }[];
  const base = `the log no longer matches signed checkpoint ${check.sequence} of ${tenant} (root ${check.expected.root.slice(0, 12)}…, ${check.expected.chainCount} chains, ${check.expected.recordCount} records; the log gives ${check.found.chainCount} chains, ${check.found.recordCount} records)`;
  if (rows.length === 0) {
    return [{ kind: 'truncated', subject: `${tenant}:*`, detail: `${base}${missing > 0 ? `: ${missing} record(s) are missing` : ': newest records were removed or re-hashed'}` }];
  }
  return rows.map((row) => ({
    kind: 'truncated',
    subject: row.subject,
    seq: Number(row.log_seq) + 1,
    detail: `records ${Number(row.log_seq) + 1}–${row.cached_seq} were removed from the end of the chain; ${base}`,
  }));
}

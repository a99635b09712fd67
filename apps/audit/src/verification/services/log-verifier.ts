import {
  AUDIT_ENTRY_VERSION,
  chainHash,
  genesisHash,
  headLeafHash,
  merkleRoot,
  sortHeads,
  verifyCheckpointSignature,
  verifySubjectChain,
  type ChainHead,
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
  /** When the walk began: the log is judged as it stood from then on. */
  startedAt: string;
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

/** Every column of a record, for the chains re-read whole (`storedRecord`). */
const RECORD_SQL = `
  SELECT position::text, event_id::text, subject, tenant, type, seq::text, correlation_id, canonical, prev_hash, hash,
         (extract(epoch FROM occurred_at) * 1000)::bigint::text AS occurred_ms,
         (extract(epoch FROM broker_at) * 1000)::bigint::text AS broker_ms,
         (extract(epoch FROM recorded_at) * 1000)::bigint::text AS recorded_ms,
         topic, kafka_partition, kafka_offset::text
    FROM audit.log l`;

/** A record as the fast pass reads it: what it chains with, and its columns as one `frame`. */
interface FastRow {
  position: string;
  subject: string;
  tenant: string;
  seq: string;
  canonical: string;
  prev_hash: string;
  hash: string;
  /** Null when a time has digits below the millisecond, which no canonical text has: the slow check then says which. */
  frame: string | null;
}

const ISO_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
/**
 * The columns the canonical text repeats, written as that text writes them (times as
 * `toISOString`, strings JSON-quoted) and joined by newlines, which none of them can contain
 * raw: one column for the fast pass to compare with `frameOf(canonical)`, instead of twelve to
 * convert and compare one by one in Node, where the walk spends its time.
 */
const FAST_PAGE_SQL = `
  SELECT l.position::text, l.subject, l.tenant, l.seq::text, l.canonical, l.prev_hash, l.hash,
         CASE WHEN date_trunc('milliseconds', l.broker_at) = l.broker_at AND date_trunc('milliseconds', l.occurred_at) = l.occurred_at
                   AND date_trunc('milliseconds', l.recorded_at) = l.recorded_at
         THEN concat_ws(E'\\n', l.kafka_offset, l.kafka_partition, to_char(l.broker_at AT TIME ZONE 'UTC', ${ISO_MS}), to_json(l.topic),
                   coalesce(to_json(l.correlation_id)::text, 'null'), l.event_id, to_char(l.occurred_at AT TIME ZONE 'UTC', ${ISO_MS}),
                   to_json(l.subject), to_json(l.tenant), to_json(l.type), to_char(l.recorded_at AT TIME ZONE 'UTC', ${ISO_MS}), l.seq)
         END AS frame
    FROM audit.log l`;

/**
 * Chain states by subject, in 16 maps: one V8 Map holds at most 2^24 entries, and a log of
 * tens of millions of records can have more subjects than that. Shards by the subject's last
 * code unit, which varies across ad ids.
 */
class ChainStates {
  private readonly shards = Array.from({ length: 16 }, () => new Map<string, ChainState>());

  private shardOf(subject: string): Map<string, ChainState> {
    return this.shards[subject.charCodeAt(subject.length - 1) & 15];
  }

  get(subject: string): ChainState | undefined {
    return this.shardOf(subject).get(subject);
  }

  set(subject: string, chain: ChainState): void {
    this.shardOf(subject).set(subject, chain);
  }

  get size(): number {
    return this.shards.reduce((sum, shard) => sum + shard.size, 0);
  }

  *entries(): IterableIterator<[string, ChainState]> {
    for (const shard of this.shards) yield* shard;
  }
}

/** Subjects whose chains are re-read whole per query when the fast pass found something. */
const SUSPECTS_PER_QUERY = 500;

interface ChainState {
  tenant: string;
  seq: number;
  hash: string;
  /** The chain's head as the tenant's latest checkpoint saw it (seq 0: the chain began after it). */
  cutSeq: number;
  cutHash: string;
  /** Something in this chain did not follow from its head: it is checked again whole, by `verifySubjectChain`. */
  suspect: boolean;
}

const STRING = '"(?:[^"\\\\]|\\\\.)*"';
/** The start of an entry's canonical text: keys sorted, so broker's fields, then the event's causation and correlation ids. */
const ENTRY_HEAD = new RegExp(
  `^\\{"broker":\\{"offset":"(\\d+)","partition":(\\d+),"timestamp":"([^"\\\\]*)","topic":(${STRING})\\},"event":\\{"causationId":(?:null|${STRING}),"correlationId":(null|${STRING}),"data":`,
);
/** The end of it, after the event's data: id, times, subject, tenant, type, then the entry's recordedAt, seq and v. */
const ENTRY_TAIL = new RegExp(
  `,"id":"([^"\\\\]*)","occurredAt":"([^"\\\\]*)","source":${STRING},"subject":(${STRING}),"tenant":(${STRING}),"type":(${STRING}),"version":\\d+\\},"recordedAt":"([^"\\\\]*)","seq":(\\d+),"v":${AUDIT_ENTRY_VERSION}\\}$`,
  'y',
);

/**
 * What a record's canonical text says of the columns `FAST_PAGE_SQL` puts in `frame`, read off
 * the text's fixed frame without parsing it: canonical JSON sorts keys, so broker's fields open
 * the text, and the event's id, times, subject, tenant and type (which follow its data),
 * recordedAt and seq close it; inside JSON strings a quote is always escaped, so the last
 * `,"id":"` is the event's id key. Anything else (another layout) answers undefined, and a
 * frame that differs from the columns' (an edited column, or times not written as the services
 * write them) sends the chain to the slow, exact check. A text that is not JSON at all but fits
 * the frame could only have been forged and re-hashed, which the next record's prev_hash or the
 * signed checkpoint then gives away.
 */
export function frameOf(text: string): string | undefined {
  const head = ENTRY_HEAD.exec(text);
  if (!head) return undefined;
  ENTRY_TAIL.lastIndex = text.lastIndexOf(',"id":"');
  const tail = ENTRY_TAIL.lastIndex > head[0].length ? ENTRY_TAIL.exec(text) : null;
  if (!tail) return undefined;
  return `${head[1]}\n${head[2]}\n${head[3]}\n${head[4]}\n${head[5]}\n${tail[1]}\n${tail[2]}\n${tail[3]}\n${tail[4]}\n${tail[5]}\n${tail[6]}\n${tail[7]}`;
}

function storedRecord(row: PageRow): StoredRecord {
  return {
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
  };
}

/**
 * Reads the whole log once in position order (the primary key: no sort, one page in memory),
 * keeping each chain's head in a map: every record must carry the next seq, link to its
 * chain's head, hash to its stored hash, and say in its canonical text what its columns say.
 * A chain where anything does not follow is then re-read whole and `verifySubjectChain` names
 * every edited, deleted, reordered or inserted record. Each platform's latest checkpoint is
 * recomputed from the heads at its cut, to catch what the chains alone cannot: removed or
 * re-hashed newest records. The next page is fetched while the current one is hashed.
 */
export async function verifyAuditLog(sql: SqlRunner, options: VerifyOptions = {}): Promise<VerificationReport> {
  const started = Date.now();
  const pageSize = options.pageSize ?? 10_000;
  const maxFindings = options.maxFindings ?? 1000;
  const [{ total }] = await sql('SELECT count(*)::bigint::text AS total FROM audit.log');
  const totalRecords = Number(total);
  // `c.sequence`, qualified: a bare `sequence` in ORDER BY names the text output column (so 9 > 10).
  const latest = (await sql(
    `SELECT DISTINCT ON (c.tenant) c.tenant, c.sequence::text, c.up_to_position::text, c.data FROM audit.checkpoints c ORDER BY c.tenant, c.sequence DESC`,
  )) as { tenant: string; sequence: string; up_to_position: string; data: CheckpointData }[];
  const cutOf = new Map(latest.map((row) => [row.tenant, Number(row.up_to_position)]));

  const findings: TamperFinding[] = [];
  let findingCount = 0;
  const addFindings = (more: TamperFinding[]) => {
    findingCount += more.length;
    for (const finding of more) if (findings.length < maxFindings) findings.push(finding);
  };

  const chains = new ChainStates();
  const tenants = new Map<string, string>();
  let records = 0;
  const fetchPage = (after: string) =>
    sql(`${FAST_PAGE_SQL} WHERE l.position > $1::bigint ORDER BY l.position LIMIT $2`, [after, pageSize]) as unknown as Promise<FastRow[]>;
  let next = fetchPage('0');
  for (;;) {
    const page = await next;
    if (page.length === pageSize) next = fetchPage(page[page.length - 1].position);
    for (const row of page) {
      let chain = chains.get(row.subject);
      if (chain === undefined) {
        // One string per platform, not one per chain: each row brings its own copy.
        let tenant = tenants.get(row.tenant);
        if (tenant === undefined) tenants.set(row.tenant, (tenant = row.tenant));
        chain = { tenant, seq: 0, hash: genesisHash(row.subject), cutSeq: 0, cutHash: '', suspect: false };
        chains.set(row.subject, chain);
      }
      if (chain.suspect) continue;
      const seq = Number(row.seq);
      if (seq !== chain.seq + 1 || row.prev_hash !== chain.hash || chainHash(row.prev_hash, row.canonical) !== row.hash || frameOf(row.canonical) !== row.frame) {
        chain.suspect = true;
        continue;
      }
      chain.seq = seq;
      chain.hash = row.hash;
      const cut = cutOf.get(chain.tenant);
      if (cut !== undefined && Number(row.position) <= cut) {
        chain.cutSeq = seq;
        chain.cutHash = row.hash;
      }
    }
    records += page.length;
    options.onProgress?.(records, Math.max(records, totalRecords));
    if (page.length < pageSize) break;
  }

  // Chains that did not follow, whole, in seq order: named record by record as before.
  const suspects = sortHeads([...chains.entries()].filter(([, chain]) => chain.suspect).map(([subject]) => ({ subject }))).map((s) => s.subject);
  for (let i = 0; i < suspects.length; i += SUSPECTS_PER_QUERY) {
    const batch = suspects.slice(i, i + SUSPECTS_PER_QUERY);
    // `l.seq`, qualified: a bare `seq` in ORDER BY names the text output column (10 before 2).
    const rows = (await sql(`${RECORD_SQL} WHERE l.subject = ANY($1::text[]) ORDER BY l.subject, l.seq`, [batch])) as unknown as PageRow[];
    const bySubject = new Map<string, StoredRecord[]>();
    for (const row of rows) {
      const list = bySubject.get(row.subject);
      if (list) list.push(storedRecord(row));
      else bySubject.set(row.subject, [storedRecord(row)]);
    }
    for (const subject of batch) {
      const chain = chains.get(subject) as ChainState;
      const stored = bySubject.get(subject) ?? [];
      addFindings(verifySubjectChain(subject, stored));
      // The chain's head as the checkpoint saw it: its last record at or before the cut.
      const cut = cutOf.get(chain.tenant);
      chain.cutSeq = 0;
      if (cut !== undefined) {
        for (const record of stored) {
          if (Number(record.position) <= cut) {
            chain.cutSeq = record.seq;
            chain.cutHash = record.hash;
          }
        }
      }
    }
  }

  const heads = new Map<string, ChainHead[]>();
  for (const [subject, chain] of chains.entries()) {
    if (chain.cutSeq === 0 || !cutOf.has(chain.tenant)) continue;
    const list = heads.get(chain.tenant);
    const head = { subject, seq: chain.cutSeq, hash: chain.cutHash };
    if (list) list.push(head);
    else heads.set(chain.tenant, [head]);
  }
  const checkpoints: CheckpointCheck[] = [];
  const storedKeys = options.publicKeys ?? new Map(
    ((await sql('SELECT key_id, public_key_pem FROM audit.signing_keys')) as { key_id: string; public_key_pem: string }[]).map((row) => [row.key_id, row.public_key_pem]),
  );
  for (const { tenant, data } of latest) {
    const tenantHeads = sortHeads(heads.get(tenant) ?? []);
    const publicKey = storedKeys.get(data.keyId);
    const found = {
      root: merkleRoot(tenantHeads.map(headLeafHash)).toString('hex'),
      chainCount: tenantHeads.length,
      recordCount: tenantHeads.reduce((sum, head) => sum + head.seq, 0),
    };
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
    subjects: chains.size,
    findingCount,
    findings,
    checkpoints,
    startedAt: new Date(started).toISOString(),
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

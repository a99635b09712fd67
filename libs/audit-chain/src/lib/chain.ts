import { canonicalJson } from './canonical-json';
import { sha256Hex } from './hashing';

/** Version of the record format below; part of every hashed record. */
export const AUDIT_ENTRY_VERSION = 1;

/**
 * What one audit record commits to: the event exactly as consumed, where the broker had it,
 * and when the audit recorded it, at its place (`seq`) in its subject's chain. Its canonical
 * JSON is what is hashed and stored; every column of the log is derived from it.
 */
export interface AuditEntry {
  v: typeof AUDIT_ENTRY_VERSION;
  seq: number;
  event: {
    id: string;
    type: string;
    version: number;
    occurredAt: string;
    tenant: string;
    subject: string;
    correlationId: string | null;
    causationId: string | null;
    source: string;
    data: unknown;
  };
  broker: { topic: string; partition: number; offset: string; timestamp: string };
  recordedAt: string;
}

/**
 * The `prev_hash` of a chain's first record. Bound to the subject, so a chain cannot be moved
 * whole under another subject.
 */
export function genesisHash(subject: string): string {
  return sha256Hex(`vigie-audit-chain-v1\n${subject}`);
}

/** hash = SHA-256(prev_hash hex || canonical JSON), both as UTF-8. */
export function chainHash(prevHash: string, canonical: string): string {
  return sha256Hex(prevHash + canonical);
}

export interface ChainedRecord {
  seq: number;
  canonical: string;
  prevHash: string;
  hash: string;
}

/**
 * An entry's canonical text up to its place in a chain. The keys `seq` and `v` sort after
 * `broker`, `event` and `recordedAt`, so the canonical text is this prefix followed by
 * `<seq>,"v":1}`: the expensive part (sorting and writing the event) can be done before the
 * entry's seq is known, e.g. outside the lock that serialises appends.
 */
export interface PreparedEntry {
  readonly prefix: string;
}

export function prepareEntry(entry: Omit<AuditEntry, 'seq' | 'v'>): PreparedEntry {
  // Only these three keys: anything else the caller's object carries (a parsed record's own seq
  // and v, say) is not part of the entry.
  const body = canonicalJson({ broker: entry.broker, event: entry.event, recordedAt: entry.recordedAt });
  return { prefix: `${body.slice(0, -1)},"seq":` };
}

const ENTRY_SUFFIX = `,"v":${AUDIT_ENTRY_VERSION}}`;

/** Appends prepared entries to a chain whose head is `head` (null for a new chain), in order. */
export function extendChainPrepared(subject: string, head: { seq: number; hash: string } | null, entries: readonly PreparedEntry[]): ChainedRecord[] {
  let seq = head?.seq ?? 0;
  let prevHash = head?.hash ?? genesisHash(subject);
  const records: ChainedRecord[] = [];
  for (const entry of entries) {
    seq += 1;
    const canonical = entry.prefix + seq + ENTRY_SUFFIX;
    const hash = chainHash(prevHash, canonical);
    records.push({ seq, canonical, prevHash, hash });
    prevHash = hash;
  }
  return records;
}

/** Appends entries to a chain whose head is `head` (null for a new chain), in order. */
export function extendChain(
  subject: string,
  head: { seq: number; hash: string } | null,
  entries: readonly Omit<AuditEntry, 'seq' | 'v'>[],
): ChainedRecord[] {
  return extendChainPrepared(subject, head, entries.map(prepareEntry));
}

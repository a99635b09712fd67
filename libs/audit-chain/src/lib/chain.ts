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

/** Appends entries to a chain whose head is `head` (null for a new chain), in order. */
export function extendChain(
  subject: string,
  head: { seq: number; hash: string } | null,
  entries: readonly Omit<AuditEntry, 'seq' | 'v'>[],
): ChainedRecord[] {
  let seq = head?.seq ?? 0;
  let prevHash = head?.hash ?? genesisHash(subject);
  const records: ChainedRecord[] = [];
  for (const entry of entries) {
    seq += 1;
    const canonical = canonicalJson({ ...entry, v: AUDIT_ENTRY_VERSION, seq });
    const hash = chainHash(prevHash, canonical);
    records.push({ seq, canonical, prevHash, hash });
    prevHash = hash;
  }
  return records;
}

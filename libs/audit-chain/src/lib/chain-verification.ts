import { chainHash, genesisHash, type AuditEntry } from './chain';

export type TamperKind = 'edited' | 'deleted' | 'reordered' | 'inserted' | 'truncated';

export interface TamperFinding {
  kind: TamperKind;
  subject: string;
  /** The stored sequence number of the record concerned (or the first missing one). */
  seq?: number;
  position?: string;
  eventId?: string;
  detail: string;
}

/** The columns of a log row that duplicate facts of its canonical JSON (checked against it). */
export interface RecordColumns {
  eventId: string;
  tenant: string;
  type: string;
  correlationId: string | null;
  occurredAtMs: number;
  brokerAtMs: number;
  recordedAtMs: number;
  topic: string;
  partition: number;
  offset: string;
}

/** One stored record as a verifier sees it. */
export interface StoredRecord {
  position?: string;
  subject: string;
  seq: number;
  canonical: string;
  prevHash: string;
  hash: string;
  columns?: RecordColumns;
}

function parseEntry(canonical: string): AuditEntry | undefined {
  try {
    const entry = JSON.parse(canonical) as AuditEntry;
    return entry && typeof entry === 'object' && entry.event && typeof entry.seq === 'number' ? entry : undefined;
  } catch {
    return undefined;
  }
}

function columnMismatches(entry: AuditEntry, columns: RecordColumns): string[] {
  const { event, broker } = entry;
  const wrong: string[] = [];
  if (columns.eventId !== event.id) wrong.push('event_id');
  if (columns.tenant !== event.tenant) wrong.push('tenant');
  if (columns.type !== event.type) wrong.push('type');
  if (columns.correlationId !== event.correlationId) wrong.push('correlation_id');
  if (columns.occurredAtMs !== Date.parse(event.occurredAt)) wrong.push('occurred_at');
  if (columns.brokerAtMs !== Date.parse(broker.timestamp)) wrong.push('broker_at');
  if (columns.recordedAtMs !== Date.parse(entry.recordedAt)) wrong.push('recorded_at');
  if (columns.topic !== broker.topic) wrong.push('topic');
  if (columns.partition !== broker.partition) wrong.push('partition');
  if (columns.offset !== broker.offset) wrong.push('offset');
  return wrong;
}

/**
 * Checks one subject's chain, records in stored `seq` order, and names what was done to it.
 *
 * A record's own hash proves its content (else: edited). Its `prev_hash` names its true
 * predecessor and its canonical `seq` its true place; comparing both with where it is stored
 * tells the rest apart:
 * - a gap in the stored seqs, or a predecessor that no longer exists while later records were
 *   renumbered down → deleted;
 * - a predecessor further back than the previous stored record → the records in between were
 *   inserted (later records are then renumbered up, which is expected and not reported again);
 * - a predecessor stored later, or a stored seq that disagrees with the hashed one beyond what
 *   insertions and deletions explain → reordered;
 * - a predecessor that exists nowhere while the numbering is intact → the previous record was
 *   replaced by one re-hashed to look valid (edited).
 * The newest record of a chain re-hashed or removed leaves no trace in the chain itself: the
 * checkpoint (a signed commitment to every head) is what detects that.
 */
export function verifySubjectChain(subject: string, records: readonly StoredRecord[]): TamperFinding[] {
  const findings: TamperFinding[] = [];
  const genesis = genesisHash(subject);
  const indexByHash = new Map<string, number>();
  for (let i = 0; i < records.length; i++) indexByHash.set(records[i].hash, i);
  const flagged = new Map<number, TamperKind>();
  const report = (i: number, kind: TamperKind, detail: string, seq = records[i].seq) => {
    const record = records[i];
    if (kind !== 'deleted') {
      if (flagged.has(i)) return;
      flagged.set(i, kind);
    }
    findings.push({ kind, subject, seq, position: record.position, eventId: record.columns?.eventId, detail });
  };

  let expectedPrev = genesis;
  let expectedSeq = 1;
  let expectedShift = 0;
  let lastPosition: bigint | undefined;
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    let explained = false;
    const gap = record.seq > expectedSeq;
    if (gap) {
      const last = record.seq - 1;
      report(i, 'deleted', last === expectedSeq ? `record ${expectedSeq} is missing` : `records ${expectedSeq}–${last} are missing`, expectedSeq);
    } else if (record.seq < expectedSeq) {
      report(i, 'reordered', `stored seq ${record.seq} does not follow ${expectedSeq - 1}`);
    }

    const entry = parseEntry(record.canonical);
    if (chainHash(record.prevHash, record.canonical) !== record.hash || !entry) {
      report(i, 'edited', 'its content does not match its hash');
    } else {
      if (entry.event.subject !== subject) report(i, 'edited', `it was hashed under subject ${entry.event.subject}`);
      const wrongColumns = record.columns ? columnMismatches(entry, record.columns) : [];
      if (wrongColumns.length > 0) report(i, 'edited', `column(s) ${wrongColumns.join(', ')} differ from the hashed record`);

      if (record.prevHash !== expectedPrev) {
        const predecessor = record.prevHash === genesis ? -1 : indexByHash.get(record.prevHash);
        if (predecessor !== undefined && predecessor > i) {
          report(i, 'reordered', `it was hashed after the record stored at seq ${records[predecessor].seq}`);
        } else if (predecessor !== undefined && predecessor < i - 1) {
          const between = [];
          for (let k = predecessor + 1; k < i; k++) if (!flagged.has(k)) between.push(k);
          for (const k of between) report(k, 'inserted', `no record of the chain follows it: record seq ${record.seq} was hashed right after ${predecessor < 0 ? 'the genesis' : `seq ${records[predecessor].seq}`}`);
          expectedShift += between.length;
          explained = between.length > 0;
        } else if (predecessor === undefined && !gap) {
          const shift = record.seq - entry.seq;
          if (shift === expectedShift - 1) {
            report(i, 'deleted', `the record it was chained to is missing and later records were renumbered`);
            expectedShift -= 1;
            explained = true;
          } else if (i > 0) {
            report(i - 1, 'edited', `it was re-hashed: the next record was chained to a different hash`);
          }
        }
      }
      const shift = record.seq - entry.seq;
      if (!explained && shift !== expectedShift) report(i, 'reordered', `stored at seq ${record.seq} but hashed as seq ${entry.seq}`);
    }

    if (record.position !== undefined) {
      const position = BigInt(record.position);
      if (lastPosition !== undefined && position < lastPosition && !explained && !flagged.has(i)) {
        report(i, 'reordered', `recorded (position ${record.position}) before the record preceding it in the chain`);
      }
      lastPosition = position;
    }
    expectedPrev = record.hash;
    expectedSeq = record.seq + 1;
  }
  return findings;
}

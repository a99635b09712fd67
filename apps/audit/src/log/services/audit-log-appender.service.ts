import { Injectable } from '@nestjs/common';
import { extendChainPrepared, prepareEntry, type AuditEntry, type PreparedEntry } from '@vigie/audit-chain';
import { traceIdOf, type ConsumedEvent } from '@vigie/messaging';
import type { EntityManager } from 'typeorm';
import { AUDIT_LOG_APPEND_LOCK } from './log-lock';

/**
 * Joins the canonical texts of a batch into one parameter, split again by Postgres: canonical
 * JSON escapes every control character, so U+001E never occurs inside one, and no text needs
 * escaping on the way (an array parameter backslash-escapes every quote of every record, which
 * cost more than the INSERT itself).
 */
const RECORD_SEPARATOR = '\x1e';

interface PresentRow {
  /** 'log': an event id already in the log; 'head': a chain head. */
  kind: 'log' | 'head';
  key: string;
  seq: string | null;
  hash: string | null;
}

interface Pending {
  item: ConsumedEvent;
  brokerAt: string;
  prepared: PreparedEntry;
}

/**
 * Appends consumed events to the hash-chained log inside the caller's transaction: each event
 * once (by event id), each subject's new records chained in consumption order (which is the
 * partition's order: messages are keyed by subject), the whole batch as one INSERT. The trace
 * id each event travelled in (Kafka `traceparent`) is kept beside the record, outside the
 * hashed canonical form.
 *
 * Appends are serialised by a transaction-scoped advisory lock (see `log-lock.ts`), so what
 * happens while it is held bounds the log's throughput: the canonical JSON of every entry is
 * written before taking it (only each record's seq and hash need the chain head), and the
 * duplicate check and the heads are read in one round trip.
 */
@Injectable()
export class AuditLogAppender {
  /** Returns the number of records appended (events already in the log are skipped). */
  async append(manager: EntityManager, consumed: readonly ConsumedEvent[], recordedAt = new Date()): Promise<number> {
    if (consumed.length === 0) return 0;
    const recordedAtIso = recordedAt.toISOString();
    const pending: Pending[] = consumed.map((item) => {
      const entry = toEntry(item, recordedAtIso);
      return { item, brokerAt: entry.broker.timestamp, prepared: prepareEntry(entry) };
    });

    await manager.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOG_APPEND_LOCK]);
    // The log holds each event once whoever appends it (a redelivery, a replay, an import):
    // this is the audit consumer's only dedupe (it keeps no inbox), and skipping here keeps
    // the seqs without gaps.
    const ids = [...new Set(consumed.map((c) => c.event.id))];
    const subjects = [...new Set(consumed.map((c) => c.event.subject))];
    const found: PresentRow[] = await manager.query(
      `SELECT 'log' AS kind, event_id::text AS key, NULL AS seq, NULL AS hash FROM audit.log WHERE event_id = ANY($1::uuid[])
       UNION ALL
       SELECT 'head', subject, seq::text, hash FROM audit.chain_heads WHERE subject = ANY($2::text[])`,
      [ids, subjects],
    );
    const skip = new Set<string>();
    const headBySubject = new Map<string, { seq: number; hash: string }>();
    for (const row of found) {
      if (row.kind === 'log') skip.add(row.key);
      else headBySubject.set(row.key, { seq: Number(row.seq), hash: (row.hash as string).trim() });
    }
    const bySubject = new Map<string, Pending[]>();
    for (const entry of pending) {
      const { event } = entry.item;
      if (skip.has(event.id)) continue;
      skip.add(event.id);
      const list = bySubject.get(event.subject);
      if (list) list.push(entry);
      else bySubject.set(event.subject, [entry]);
    }
    if (bySubject.size === 0) return 0;

    // One array per column, cut into rows by `unnest`: a single round trip whatever the batch
    // size, each value parsed once by its column's type (a JSON parameter was re-parsed by
    // every `->>`).
    const columns: unknown[][] = Array.from({ length: 15 }, () => []);
    let count = 0;
    for (const [subject, entries] of bySubject) {
      const chained = extendChainPrepared(subject, headBySubject.get(subject) ?? null, entries.map((entry) => entry.prepared));
      for (let i = 0; i < entries.length; i++) {
        const { item, brokerAt } = entries[i];
        const { event, coordinates } = item;
        const record = chained[i];
        const values = [
          event.id,
          subject,
          event.tenant,
          event.type,
          record.seq,
          event.correlationId,
          record.canonical,
          record.prevHash,
          record.hash,
          event.occurredAt,
          brokerAt,
          coordinates.topic,
          coordinates.partition,
          coordinates.offset,
          traceIdOf(item),
        ];
        for (let c = 0; c < values.length; c++) columns[c].push(values[c]);
        count += 1;
      }
    }
    // Rows are inserted in array order (WITH ORDINALITY), so positions follow consumption order.
    await manager.query(
      `WITH appended AS (
         INSERT INTO audit.log (event_id, subject, tenant, type, seq, correlation_id, canonical, prev_hash, hash,
                                occurred_at, broker_at, recorded_at, topic, kafka_partition, kafka_offset, trace_id)
         SELECT event_id, subject, tenant, type, seq, correlation_id, canonical, prev_hash, hash,
                occurred_at, broker_at, $16::timestamptz, topic, kafka_partition, kafka_offset, trace_id
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], string_to_array($7::text, E'\\x1e'),
                       $8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[], $12::text[], $13::int[], $14::bigint[], $15::text[])
                WITH ORDINALITY AS t(event_id, subject, tenant, type, seq, correlation_id, canonical, prev_hash, hash,
                                     occurred_at, broker_at, topic, kafka_partition, kafka_offset, trace_id, ord)
          ORDER BY ord
         RETURNING position, subject, tenant, seq, hash, type
       )
       INSERT INTO audit.chain_heads (subject, tenant, seq, hash, position, last_type)
       SELECT DISTINCT ON (subject) subject, tenant, seq, hash, position, type FROM appended ORDER BY subject, seq DESC
       ON CONFLICT (subject) DO UPDATE
         SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, position = EXCLUDED.position, last_type = EXCLUDED.last_type`,
      [...columns.map((values, c) => (c === 6 ? values.join(RECORD_SEPARATOR) : values)), recordedAtIso],
    );
    return count;
  }
}

function toEntry({ event, coordinates }: ConsumedEvent, recordedAt: string): Omit<AuditEntry, 'seq' | 'v'> {
  const brokerMs = Number(coordinates.timestamp);
  return {
    event,
    broker: {
      topic: coordinates.topic,
      partition: coordinates.partition,
      offset: coordinates.offset,
      timestamp: new Date(Number.isFinite(brokerMs) ? brokerMs : 0).toISOString(),
    },
    recordedAt,
  };
}

import { Injectable } from '@nestjs/common';
import { extendChain, type AuditEntry } from '@vigie/audit-chain';
import { traceIdOf, type ConsumedEvent } from '@vigie/messaging';
import type { EntityManager } from 'typeorm';
import { AUDIT_LOG_APPEND_LOCK } from './log-lock';

interface HeadRow {
  subject: string;
  seq: string;
  hash: string;
}

/**
 * Appends consumed events to the hash-chained log inside the caller's transaction: each event
 * once (by event id), each subject's new records chained in consumption order (which is the
 * partition's order: messages are keyed by subject), the whole batch as one INSERT. The trace
 * id each event travelled in (Kafka `traceparent`) is kept beside the record, outside the
 * hashed canonical form.
 */
@Injectable()
export class AuditLogAppender {
  /** Returns the number of records appended (events already in the log are skipped). */
  async append(manager: EntityManager, consumed: readonly ConsumedEvent[], recordedAt = new Date()): Promise<number> {
    if (consumed.length === 0) return 0;
    await manager.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOG_APPEND_LOCK]);

    // The inbox dedupes per consumer group; the log itself must hold each event once whoever
    // appends it (another group, a replay), and skipping here keeps the seqs without gaps.
    const ids = [...new Set(consumed.map((c) => c.event.id))];
    const present: { event_id: string }[] = await manager.query('SELECT event_id FROM audit.log WHERE event_id = ANY($1::uuid[])', [ids]);
    const skip = new Set(present.map((row) => row.event_id));
    const bySubject = new Map<string, ConsumedEvent[]>();
    for (const item of consumed) {
      if (skip.has(item.event.id)) continue;
      skip.add(item.event.id);
      const list = bySubject.get(item.event.subject);
      if (list) list.push(item);
      else bySubject.set(item.event.subject, [item]);
    }
    if (bySubject.size === 0) return 0;

    const subjects = [...bySubject.keys()];
    const heads: HeadRow[] = await manager.query('SELECT subject, seq, hash FROM audit.chain_heads WHERE subject = ANY($1::text[])', [subjects]);
    const headBySubject = new Map(heads.map((head) => [head.subject, { seq: Number(head.seq), hash: head.hash.trim() }]));
    const recordedAtIso = recordedAt.toISOString();
    const rows: unknown[] = [];
    for (const [subject, items] of bySubject) {
      const entries = items.map((item) => toEntry(item, recordedAtIso));
      const chained = extendChain(subject, headBySubject.get(subject) ?? null, entries);
      for (let i = 0; i < items.length; i++) {
        const { event, coordinates } = items[i];
        const entry = entries[i];
        rows.push([
          event.id,
          subject,
          event.tenant,
          event.type,
          chained[i].seq,
          event.correlationId,
          chained[i].canonical,
          chained[i].prevHash,
          chained[i].hash,
          event.occurredAt,
          entry.broker.timestamp,
          coordinates.topic,
          coordinates.partition,
          coordinates.offset,
          traceIdOf(items[i]),
        ]);
      }
    }
    // One JSON parameter cut into rows by Postgres: a single round trip whatever the batch size.
    await manager.query(
      `WITH appended AS (
         INSERT INTO audit.log (event_id, subject, tenant, type, seq, correlation_id, canonical, prev_hash, hash,
                                occurred_at, broker_at, recorded_at, topic, kafka_partition, kafka_offset, trace_id)
         SELECT (r->>0)::uuid, r->>1, r->>2, r->>3, (r->>4)::bigint, r->>5, r->>6, r->>7, r->>8,
                (r->>9)::timestamptz, (r->>10)::timestamptz, $2::timestamptz, r->>11, (r->>12)::int, (r->>13)::bigint, r->>14
           FROM json_array_elements($1::json) WITH ORDINALITY AS t(r, ord)
          ORDER BY ord
         RETURNING position, subject, tenant, seq, hash, type
       )
       INSERT INTO audit.chain_heads (subject, tenant, seq, hash, position, last_type)
       SELECT DISTINCT ON (subject) subject, tenant, seq, hash, position, type FROM appended ORDER BY subject, seq DESC
       ON CONFLICT (subject) DO UPDATE
         SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, position = EXCLUDED.position, last_type = EXCLUDED.last_type`,
      [JSON.stringify(rows), recordedAtIso],
    );
    return rows.length;
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

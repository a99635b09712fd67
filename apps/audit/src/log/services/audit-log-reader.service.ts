import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** One record of the audit log as projections read it. `event` is the envelope exactly as consumed. */
export interface AuditLogRecord {
  /** Global, strictly increasing; the cursor to resume from. */
  position: string;
  eventId: string;
  subject: string;
  tenant: string;
  type: string;
  seq: number;
  correlationId: string | null;
  event: AuditEventEnvelope;
  /** Business time (`event.occurredAt`), the broker's record timestamp, and the audit's own receipt time. */
  occurredAt: string;
  brokerAt: string;
  recordedAt: string;
  topic: string;
  partition: number;
  offset: string;
  hash: string;
}

export interface AuditEventEnvelope {
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
}

interface LogRow {
  position: string;
  event_id: string;
  subject: string;
  tenant: string;
  type: string;
  seq: string;
  correlation_id: string | null;
  canonical: string;
  hash: string;
  topic: string;
  kafka_partition: number;
  kafka_offset: string;
}

/**
 * Reads the log in `position` order, for projections that tail it:
 *
 * ```ts
 * let cursor = '0';
 * for (;;) {
 *   const records = await reader.readFrom(cursor, 1000);
 *   if (records.length === 0) break; // or wait and poll again
 *   for (const record of records) apply(record);
 *   cursor = records[records.length - 1].position;
 * }
 * ```
 *
 * `readFrom(p)` returns records with a position strictly greater than `p`. Appends are
 * serialised (see `AUDIT_LOG_APPEND_LOCK`), so once a position is visible no smaller one can
 * appear later: a tail never misses a record. Positions may have gaps (a rolled-back batch
 * burns identity values); never wait for a missing one. Pass a transaction's `EntityManager`
 * to read inside it.
 */
@Injectable()
export class AuditLogReader {
  constructor(private readonly dataSource: DataSource) {}

  async readFrom(position: string | number | bigint, limit = 1000, manager?: { query: DataSource['query'] }): Promise<AuditLogRecord[]> {
    const rows: LogRow[] = await (manager ?? this.dataSource).query(
      `SELECT position, event_id, subject, tenant, type, seq, correlation_id, canonical, hash, topic, kafka_partition, kafka_offset
         FROM audit.log WHERE position > $1 ORDER BY position LIMIT $2`,
      [String(position), Math.max(1, Math.min(limit, 100_000))],
    );
    return rows.map((row) => {
      const entry = JSON.parse(row.canonical) as { event: AuditEventEnvelope; broker: { timestamp: string }; recordedAt: string };
      return {
        position: row.position,
        eventId: row.event_id,
        subject: row.subject,
        tenant: row.tenant,
        type: row.type,
        seq: Number(row.seq),
        correlationId: row.correlation_id,
        event: entry.event,
        occurredAt: entry.event.occurredAt,
        brokerAt: entry.broker.timestamp,
        recordedAt: entry.recordedAt,
        topic: row.topic,
        partition: row.kafka_partition,
        offset: row.kafka_offset,
        hash: row.hash.trim(),
      };
    });
  }

  /** The highest position in the log ('0' when empty). */
  async lastPosition(): Promise<string> {
    const [row] = await this.dataSource.query('SELECT coalesce(max(position), 0)::text AS position FROM audit.log');
    return row.position as string;
  }
}

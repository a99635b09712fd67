import type { SpanContext } from '@opentelemetry/api';
import type { AnyEvent } from '@vigie/contracts';
import type { OutgoingRecord } from '../ports';
import type { EntityManager } from 'typeorm';
import { toOutgoingRecord } from '../event-records';
import { quoteSchema } from '../schema/messaging-tables';
import { resolveOutgoingTraces, type SubjectTraceLookup } from '../tracing/outgoing-traces';

/** An event stored in the outbox, with the record the relay (or its writer) will publish. */
export interface PendingRecord {
  eventId: string;
  record: OutgoingRecord;
}

export interface OutboxOptions {
  /** Where the service remembers each subject's trace (see `SubjectTraceLookup`). */
  subjectTraces?: SubjectTraceLookup;
}

export interface EnqueueOptions {
  publishItselfWithinMs?: number;
  /**
   * The trace each event was requested in, by event id, when that is not the active context:
   * a write that groups several HTTP requests into one transaction passes each request's.
   */
  requestTraces?: ReadonlyMap<string, SpanContext>;
  /**
   * The traces of the events' subjects, when the writer read them already in a statement of
   * its own: the service's `SubjectTraceLookup` is then not asked (one round trip fewer).
   */
  subjectTraces?: ReadonlyMap<string, SpanContext>;
}

/**
 * The writing side of the transactional outbox: events are stored in the same database
 * transaction as the state change they describe, so either both happen or neither does.
 * The relay publishes them afterwards.
 *
 * Each stored record carries its W3C trace context in its headers (`traceparent`,
 * `tracestate`): a new span in the trace of the event's cause (see `assignTraces`), so the
 * relay publishes what the writer's trace was, whenever it runs.
 */
export class Outbox {
  private readonly table: string;
  /** Postgres delivers a NOTIFY only when the enqueuing transaction commits: the relay's cue. */
  readonly notifyChannel: string;

  /**
   * @param topicFor overrides the contract's topic; integration tests use it to give each
   * test file its own topics.
   */
  constructor(
    schema: string,
    private readonly topicFor?: (event: AnyEvent) => string,
    private readonly options: OutboxOptions = {},
  ) {
    this.table = `${quoteSchema(schema)}.outbox`;
    this.notifyChannel = `vigie_outbox_${schema}`;
  }

  /**
   * Stores the events in the caller's transaction and returns their wire records.
   *
   * By default the relay is woken when the transaction commits. A caller that must not
   * answer before the broker has the events passes `publishItselfWithinMs`: the rows stay
   * hidden from the relay for that long while the caller publishes them right after its
   * commit (`OutboxRelay.publishNow`); if the caller dies, the relay takes over afterwards.
   */
  async enqueue(
    manager: EntityManager,
    events: readonly AnyEvent[],
    options: EnqueueOptions = {},
  ): Promise<PendingRecord[]> {
    if (events.length === 0) return [];
    const traces = await resolveOutgoingTraces(manager, events, this.options.subjectTraces, options.requestTraces, options.subjectTraces);
    const pending = events.map((event, i) => ({ eventId: event.id, record: toOutgoingRecord(event, this.topicFor?.(event), traces[i]) }));
    // Payloads travel as one binary parameter cut into rows by offset: a bytea[] parameter
    // would be hex-encoded and escaped element by element (twice their size, and the
    // dearest part of the insert). The other columns travel as one JSON document.
    const rows: { event_id: string; topic: string; message_key: string; start: number; length: number; headers: Record<string, string> }[] = [];
    let start = 1;
    for (const { eventId, record } of pending) {
      rows.push({ event_id: eventId, topic: record.topic, message_key: record.key, start, length: record.value.length, headers: record.headers });
      start += record.value.length;
    }
    await manager.query(
      `INSERT INTO ${this.table} (event_id, topic, message_key, payload, headers, available_at)
       SELECT e.event_id, e.topic, e.message_key, substring($2::bytea FROM e.start FOR e.length), e.headers,
              clock_timestamp() + make_interval(secs => $3::double precision / 1000)
         FROM ROWS FROM (json_to_recordset($1::json)
                AS (event_id uuid, topic text, message_key text, start int, length int, headers jsonb)) WITH ORDINALITY
           AS e(event_id, topic, message_key, start, length, headers, position)
        ORDER BY e.position`,
      [JSON.stringify(rows), Buffer.concat(pending.map((p) => p.record.value)), options.publishItselfWithinMs ?? 0],
    );
    if (options.publishItselfWithinMs === undefined) {
      await manager.query('SELECT pg_notify($1, NULL)', [this.notifyChannel]);
    }
    return pending;
  }

  get tableName(): string {
    return this.table;
  }
}

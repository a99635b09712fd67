import type { AnyEvent } from '@vigie/contracts';
import type { OutgoingRecord } from '../ports';
import type { EntityManager } from 'typeorm';
import { toOutgoingRecord } from '../event-records';
import { quoteSchema } from '../schema/messaging-tables';

/** An event stored in the outbox, with the record the relay (or its writer) will publish. */
export interface PendingRecord {
  eventId: string;
  record: OutgoingRecord;
}

/**
 * The writing side of the transactional outbox: events are stored in the same database
 * transaction as the state change they describe, so either both happen or neither does.
 * The relay publishes them afterwards.
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
    options: { publishItselfWithinMs?: number } = {},
  ): Promise<PendingRecord[]> {
    if (events.length === 0) return [];
    const pending = events.map((event) => ({ eventId: event.id, record: toOutgoingRecord(event, this.topicFor?.(event)) }));
    await manager.query(
      `INSERT INTO ${this.table} (event_id, topic, message_key, payload, headers, available_at)
       SELECT e.*, clock_timestamp() + make_interval(secs => $6::double precision / 1000)
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[], $5::jsonb[]) AS e`,
      [
        pending.map((p) => p.eventId),
        pending.map((p) => p.record.topic),
        pending.map((p) => p.record.key),
        pending.map((p) => p.record.value),
        pending.map((p) => JSON.stringify(p.record.headers)),
        options.publishItselfWithinMs ?? 0,
      ],
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

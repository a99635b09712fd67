import type { AnyEvent } from '@vigie/contracts';
import type { EntityManager } from 'typeorm';
import { toOutgoingRecord } from '../event-records';
import { quoteSchema } from '../schema/messaging-tables';

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
   * @param options.notify wake the relay at commit (default). A caller that publishes the
   * rows itself right after its commit (`OutboxRelay.publishEvents`) passes false, so the
   * relay only picks them up if that caller dies first.
   */
  async enqueue(manager: EntityManager, events: readonly AnyEvent[], options: { notify?: boolean } = {}): Promise<void> {
    if (events.length === 0) return;
    const records = events.map((event) => ({ id: event.id, record: toOutgoingRecord(event, this.topicFor?.(event)) }));
    await manager.query(
      `INSERT INTO ${this.table} (event_id, topic, message_key, payload, headers)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[], $5::jsonb[])`,
      [
        records.map((r) => r.id),
        records.map((r) => r.record.topic),
        records.map((r) => r.record.key),
        records.map((r) => r.record.value),
        records.map((r) => JSON.stringify(r.record.headers)),
      ],
    );
    if (options.notify !== false) await manager.query('SELECT pg_notify($1, NULL)', [this.notifyChannel]);
  }

  get tableName(): string {
    return this.table;
  }
}

import { uuidV7Floor } from '@vigie/contracts';
import type { EntityManager } from 'typeorm';
import { quoteSchema } from '../schema/messaging-tables';
import type { ConsumedEvent } from '../consumer/consumed-event';

/**
 * Inbox dedupe: inside the consumer's transaction, records the ids of the events about to
 * be applied and returns only those never applied before by this consumer group. A
 * redelivered event (consumer restart, rebalance, relay re-publish) is dropped here, so
 * at-least-once delivery becomes exactly-once in effect.
 */
export class Inbox {
  private readonly table: string;

  constructor(
    schema: string,
    private readonly consumerGroup: string,
  ) {
    this.table = `${quoteSchema(schema)}.inbox`;
  }

  async claim<E extends ConsumedEvent>(manager: EntityManager, events: readonly E[]): Promise<E[]> {
    if (events.length === 0) return [];
    const rows: { event_id: string }[] = await manager.query(
      `INSERT INTO ${this.table} (consumer_group, event_id, topic, kafka_partition, kafka_offset)
       SELECT $1, e.id, e.topic, e.kafka_partition, e.kafka_offset
         FROM unnest($2::uuid[], $3::text[], $4::int[], $5::bigint[])
           AS e(id, topic, kafka_partition, kafka_offset)
       ON CONFLICT DO NOTHING
       RETURNING event_id`,
      [
        this.consumerGroup,
        events.map((e) => e.event.id),
        events.map((e) => e.coordinates.topic),
        events.map((e) => e.coordinates.partition),
        events.map((e) => e.coordinates.offset),
      ],
    );
    const fresh = new Set(rows.map((row) => row.event_id));
    // A batch may carry the same event twice (a re-published outbox row); keep the first.
    return events.filter((e) => fresh.delete(e.event.id));
  }

  /**
   * Deletes this group's rows of events created before `before`, `batchSize` rows a statement
   * (short transactions, no long lock), and returns how many went. Event ids are UUIDv7, which
   * begin with their creation time, so the primary key finds them in age order: no other index.
   * `keepGoing` is asked before each statement after the first: a first prune of a large inbox
   * stops there when the service is shutting down, rather than outlasting its shutdown timeout.
   */
  async prune(run: Pick<EntityManager, 'query'>, before: Date, batchSize = 10_000, keepGoing: () => boolean = () => true): Promise<number> {
    const bound = uuidV7Floor(before.getTime());
    let total = 0;
    for (;;) {
      const [{ deleted }]: { deleted: number }[] = await run.query(
        `WITH doomed AS (
           SELECT event_id FROM ${this.table} WHERE consumer_group = $1 AND event_id < $2::uuid ORDER BY event_id LIMIT $3
         ), gone AS (
           DELETE FROM ${this.table} i USING doomed d WHERE i.consumer_group = $1 AND i.event_id = d.event_id RETURNING 1
         )
         SELECT count(*)::int AS deleted FROM gone`,
        [this.consumerGroup, bound, batchSize],
      );
      total += deleted;
      if (deleted < batchSize || !keepGoing()) return total;
    }
  }
}

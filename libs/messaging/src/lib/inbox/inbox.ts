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
}

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Prometheus instruments for the consumer and the relay, registered on the service's registry. */
export class MessagingMetrics {
  readonly consumed: Counter<'topic'>;
  readonly applied: Counter<'topic'>;
  readonly duplicates: Counter<'topic'>;
  readonly deadLettered: Counter<'topic' | 'reason'>;
  readonly batchSeconds: Histogram<'topic'>;
  readonly consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  readonly outboxPublished: Counter<string>;
  readonly published: Counter<'topic'>;
  readonly outboxBacklog: Gauge<string>;
  readonly outboxOldestSeconds: Gauge<string>;
  private backlogProbe: (() => Promise<OutboxBacklog>) | undefined;
  private backlogRead: Promise<OutboxBacklog> | undefined;

  constructor(registry: Registry) {
    const registers = [registry];
    this.consumed = new Counter({
      name: 'vigie_events_consumed_total',
      help: 'Events read from Kafka',
      labelNames: ['topic'],
      registers,
    });
    this.applied = new Counter({
      name: 'vigie_events_applied_total',
      help: 'Events applied (new in the inbox)',
      labelNames: ['topic'],
      registers,
    });
    this.duplicates = new Counter({
      name: 'vigie_events_duplicate_total',
      help: 'Redelivered events dropped by the inbox',
      labelNames: ['topic'],
      registers,
    });
    this.deadLettered = new Counter({
      name: 'vigie_events_dead_lettered_total',
      help: 'Events sent to a DLQ',
      labelNames: ['topic', 'reason'],
      registers,
    });
    this.batchSeconds = new Histogram({
      name: 'vigie_consumer_batch_seconds',
      help: 'Time to apply and commit one batch',
      labelNames: ['topic'],
      registers,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    });
    this.consumerLag = new Gauge({
      name: 'vigie_consumer_lag',
      help: 'Messages behind the end of the partition (high watermark minus the next offset) for a consumer group, after each batch',
      labelNames: ['group', 'topic', 'partition'],
      registers,
    });
    this.outboxPublished = new Counter({
      name: 'vigie_outbox_published_total',
      help: 'Outbox rows published',
      registers,
    });
    this.published = new Counter({
      name: 'vigie_events_published_total',
      help: 'Records acknowledged by Kafka (acks=all), by topic: events from the outbox and ingest, and dead letters',
      labelNames: ['topic'],
      registers,
    });
    // Read from the database when scraped: both gauges are collected by the same scrape and
    // share one query.
    const readBacklog = () => this.readBacklog();
    this.outboxBacklog = new Gauge({
      name: 'vigie_outbox_backlog',
      help: 'Outbox rows not yet published (read when scraped; -1 when the database does not answer)',
      registers,
      async collect() {
        this.set((await readBacklog()).rows);
      },
    });
    this.outboxOldestSeconds = new Gauge({
      name: 'vigie_outbox_oldest_seconds',
      help: 'Age of the oldest unpublished outbox row, 0 when the outbox is empty (read when scraped)',
      registers,
      async collect() {
        this.set((await readBacklog()).oldestSeconds);
      },
    });
  }

  /** Tells the backlog gauges how to read the outbox (see `OutboxRelay.backlog`). */
  observeOutbox(probe: () => Promise<OutboxBacklog>): void {
    this.backlogProbe = probe;
  }

  private readBacklog(): Promise<OutboxBacklog> {
    if (!this.backlogRead) {
      const probe = this.backlogProbe;
      // A scrape calls every collector at once: they all share this read; the next scrape asks again.
      this.backlogRead = (probe ? probe() : Promise.resolve(EMPTY_BACKLOG))
        .catch(() => UNKNOWN_BACKLOG)
        .finally(() => (this.backlogRead = undefined));
    }
    return this.backlogRead;
  }
}

export interface OutboxBacklog {
  rows: number;
  oldestSeconds: number;
}

const EMPTY_BACKLOG: OutboxBacklog = { rows: 0, oldestSeconds: 0 };
const UNKNOWN_BACKLOG: OutboxBacklog = { rows: -1, oldestSeconds: 0 };

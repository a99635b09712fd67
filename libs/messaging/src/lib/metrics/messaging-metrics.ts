import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Prometheus instruments for the consumer and the relay, registered on the service's registry. */
export class MessagingMetrics {
  readonly consumed: Counter<'topic'>;
  readonly applied: Counter<'topic'>;
  readonly duplicates: Counter<'topic'>;
  readonly deadLettered: Counter<'topic' | 'reason'>;
  readonly batchSeconds: Histogram<'topic'>;
  readonly consumerLag: Gauge<'topic' | 'partition'>;
  readonly outboxPublished: Counter<string>;

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
      help: 'High watermark minus the next offset, after each batch',
      labelNames: ['topic', 'partition'],
      registers,
    });
    this.outboxPublished = new Counter({
      name: 'vigie_outbox_published_total',
      help: 'Outbox rows published',
      registers,
    });
  }
}

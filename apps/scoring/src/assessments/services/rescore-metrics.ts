import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@vigie/service-kit';
import { Counter, type Registry } from 'prom-client';

/** What happens to the ads a batch links for re-assessment beyond those it re-assesses itself. */
@Injectable()
export class RescoreMetrics {
  private readonly queue: Counter<'event'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.queue = new Counter({
      name: 'vigie_scoring_rescore_queue_total',
      help: 'Ads put in the re-assessment queue (queued), taken off it and re-assessed (drained), or given up an hour after queuing because their row never appeared (dropped)',
      labelNames: ['event'],
      registers: [registry],
    });
  }

  queued(count: number): void {
    if (count > 0) this.queue.inc({ event: 'queued' }, count);
  }

  drained(count: number, dropped: number): void {
    if (count > 0) this.queue.inc({ event: 'drained' }, count);
    if (dropped > 0) this.queue.inc({ event: 'dropped' }, dropped);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { AdSchema } from '@vigie/contracts';
import { METRICS_REGISTRY } from '@vigie/service-kit';
import { Counter, Gauge, type Registry } from 'prom-client';

export type IntakeOutcome = 'accepted' | 'duplicate' | 'rejected';
export type IntakeChannel = 'http-batch' | 'ndjson' | 'kafka';

/**
 * The `field` labels rejections may carry: the ad's own fields, the envelope fields of a record
 * produced to ads.submitted.v1, and "line" for an NDJSON line that is no JSON at all. Anything
 * else (an unknown property the platform sent, named by the platform) is counted as "other":
 * a label taken from input would add a series per distinct name, without bound.
 */
const REJECTION_FIELDS = new Set([...Object.keys(AdSchema().properties), 'type', 'tenant', 'subject', 'data', 'line']);

/** The label a rejection at `field` (a JSON pointer) is counted under. */
export function rejectionFieldLabel(field: string): string {
  if (field === '' || field === '/') return '/';
  const top = field.split('/')[field.startsWith('/') ? 1 : 0];
  return REJECTION_FIELDS.has(top) ? top : 'other';
}

/** What ingest counts: ads by outcome and channel, rejections by field, and breaker state. */
@Injectable()
export class IngestMetrics {
  private readonly ads: Counter<'outcome' | 'channel'>;
  private readonly rejections: Counter<'field'>;
  readonly breakerOpen: Gauge<string>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const registers = [registry];
    this.ads = new Counter({
      name: 'vigie_ingest_ads_total',
      help: 'Ads received, by outcome (accepted, duplicate, rejected) and channel',
      labelNames: ['outcome', 'channel'],
      registers,
    });
    this.rejections = new Counter({
      name: 'vigie_ingest_rejections_total',
      help: 'Rejected ads by the first failing field (JSON pointer, "line" for unparsable NDJSON lines)',
      labelNames: ['field'],
      registers,
    });
    this.breakerOpen = new Gauge({
      name: 'vigie_ingest_publish_breaker_open',
      help: '1 while the Kafka publish circuit breaker is open (ingest answers 503)',
      registers,
    });
  }

  count(outcome: IntakeOutcome, channel: IntakeChannel, amount = 1): void {
    if (amount > 0) this.ads.inc({ outcome, channel }, amount);
  }

  rejected(field: string, channel: IntakeChannel): void {
    this.count('rejected', channel);
    this.rejections.inc({ field: rejectionFieldLabel(field) });
  }
}

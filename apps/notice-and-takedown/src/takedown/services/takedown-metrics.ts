import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@vigie/service-kit';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type BreakerState = 'closed' | 'half-open' | 'open';
const breakerStateValue: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

export type DeliveryOutcome = 'delivered' | 'retry' | 'failed' | 'deferred';
/** awaiting-ad: set aside, no address to probe until the ad arrives (not a probe). */
export type VerificationOutcome = 'verified' | 'retry' | 'failed' | 'deferred' | 'awaiting-ad';

/** What takedown delivery and verification count, for /metrics. */
@Injectable()
export class TakedownMetrics {
  private readonly webhookBreaker: Gauge<'platform'>;
  private readonly probeBreaker: Gauge<'host'>;
  private readonly deliveries: Counter<'channel' | 'outcome'>;
  private readonly verifications: Counter<'outcome'>;
  private readonly webhookLatency: Histogram<'outcome'>;
  private readonly requested: Counter<'kind' | 'channel'>;
  private readonly confirmations: Counter<'source'>;
  readonly deliveryConfigured: Gauge<string>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const registers = [registry];
    this.webhookBreaker = new Gauge({
      name: 'vigie_nat_webhook_breaker_state',
      help: "State of each platform's webhook circuit breaker: 0 closed, 1 half-open, 2 open (commands wait)",
      labelNames: ['platform'],
      registers,
    });
    this.probeBreaker = new Gauge({
      name: 'vigie_nat_verification_breaker_state',
      help: "State of each host's verification-probe circuit breaker: 0 closed, 1 half-open, 2 open",
      labelNames: ['host'],
      registers,
    });
    this.deliveries = new Counter({
      name: 'vigie_nat_takedown_deliveries_total',
      help: 'Takedown command delivery attempts by channel and outcome (deferred: breaker open, not an attempt)',
      labelNames: ['channel', 'outcome'],
      registers,
    });
    this.verifications = new Counter({
      name: 'vigie_nat_takedown_verifications_total',
      help: 'Verification probes by outcome (deferred: host breaker open, not an attempt; awaiting-ad: set aside until the ad arrives)',
      labelNames: ['outcome'],
      registers,
    });
    this.webhookLatency = new Histogram({
      name: 'vigie_nat_webhook_seconds',
      help: 'Duration of webhook calls to platforms',
      labelNames: ['outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.requested = new Counter({
      name: 'vigie_nat_takedown_commands_total',
      help: 'Takedown and reinstatement commands requested, by delivery channel',
      labelNames: ['kind', 'channel'],
      registers,
    });
    this.confirmations = new Counter({
      name: 'vigie_nat_takedown_confirmations_total',
      help: 'Removals recorded, by where they were learnt (callback, kafka, ad-stream)',
      labelNames: ['source'],
      registers,
    });
    this.deliveryConfigured = new Gauge({
      name: 'vigie_nat_takedown_delivery_configured',
      help: '1 when VIGIE_SERVICE_API_KEY is set, so delivery targets (webhooks) can be read from the registry',
      registers,
    });
  }

  webhookBreakerState(platform: string, state: BreakerState): void {
    this.webhookBreaker.set({ platform }, breakerStateValue[state]);
  }

  probeBreakerState(host: string, state: BreakerState): void {
    this.probeBreaker.set({ host }, breakerStateValue[state]);
  }

  /** Drops the series of a host whose breaker was retired. */
  probeBreakerRetired(host: string): void {
    this.probeBreaker.remove({ host });
  }

  delivery(channel: 'webhook' | 'kafka', outcome: DeliveryOutcome, amount = 1): void {
    if (amount > 0) this.deliveries.inc({ channel, outcome }, amount);
  }

  webhookCall(outcome: 'ok' | 'error', seconds: number): void {
    this.webhookLatency.observe({ outcome }, seconds);
  }

  verification(outcome: VerificationOutcome, count = 1): void {
    this.verifications.inc({ outcome }, count);
  }

  commandRequested(kind: 'takedown' | 'reinstatement', channel: 'webhook' | 'kafka'): void {
    this.requested.inc({ kind, channel });
  }

  removalRecorded(source: 'callback' | 'kafka' | 'ad-stream'): void {
    this.confirmations.inc({ source });
  }
}

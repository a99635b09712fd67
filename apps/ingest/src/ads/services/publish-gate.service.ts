import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { OutboxRelay, PendingRecord } from '@vigie/messaging';
import { RELAY, SERVICE_LOGGER, SERVICE_SETTINGS } from '@vigie/service-kit';
import CircuitBreaker from 'opossum';
import type { Logger } from 'pino';
import type { IngestSettings } from '../../ingest.settings';
import { AdIntakeException, AdIntakeExceptionCode } from '../exceptions/ad-intake.exception';
import { IngestMetrics } from './ingest-metrics';

/**
 * Admission and publishing for the HTTP intake. An ad is acknowledged only once the broker
 * has it (acks=all). When the broker is slow or down the breaker opens and requests are
 * turned away with 503 + Retry-After before any work is done, instead of piling up in
 * memory; too many concurrent requests get 429 + Retry-After.
 */
@Injectable()
export class PublishGate implements OnModuleDestroy {
  private readonly breaker: CircuitBreaker<[PendingRecord[]], void>;
  private inFlight = 0;
  private openedAt = 0;

  constructor(
    @Inject(RELAY) relay: OutboxRelay,
    @Inject(SERVICE_SETTINGS) private readonly settings: IngestSettings,
    @Inject(SERVICE_LOGGER) logger: Logger,
    metrics: IngestMetrics,
  ) {
    this.breaker = new CircuitBreaker((pending: PendingRecord[]) => relay.publishNow(pending), {
      timeout: settings.publishTimeoutMs,
      resetTimeout: settings.breakerResetMs,
      errorThresholdPercentage: 50,
      volumeThreshold: 3,
      rollingCountTimeout: 10000,
    });
    this.breaker.on('open', () => {
      this.openedAt = Date.now();
      metrics.breakerOpen.set(1);
      logger.warn('Kafka publish breaker opened: ingest answers 503 until the broker recovers');
    });
    this.breaker.on('close', () => {
      metrics.breakerOpen.set(0);
      logger.info('Kafka publish breaker closed');
    });
  }

  /** Runs one intake request if the breaker is closed and a slot is free. */
  async admit<T>(work: () => Promise<T>): Promise<T> {
    if (this.breaker.opened) throw this.unavailable();
    if (this.inFlight >= this.settings.maxConcurrentIntakes) {
      throw new AdIntakeException(
        AdIntakeExceptionCode.TOO_MANY_CONCURRENT_REQUESTS,
        `ingest is already processing ${this.inFlight} requests; retry shortly`,
        {},
        1,
      );
    }
    this.inFlight++;
    try {
      return await work();
    } finally {
      this.inFlight--;
    }
  }

  /**
   * Publishes just-committed outbox records now. On failure the rows stay in the outbox (the
   * relay publishes them later) and the caller answers 503: the client retries and gets
   * `duplicate` for what was already recorded.
   */
  async publish(pending: PendingRecord[]): Promise<void> {
    if (pending.length === 0) return;
    try {
      await this.breaker.fire(pending);
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  onModuleDestroy(): void {
    this.breaker.shutdown();
  }

  private unavailable(cause?: unknown): AdIntakeException {
    const remainingMs = this.breaker.opened ? Math.max(0, this.openedAt + this.settings.breakerResetMs - Date.now()) : 1000;
    return new AdIntakeException(
      AdIntakeExceptionCode.BROKER_UNAVAILABLE,
      `the event broker is unavailable${cause instanceof Error ? ` (${cause.message})` : ''}; nothing was acknowledged, retry later`,
      {},
      Math.max(1, Math.ceil(remainingMs / 1000)),
    );
  }
}

import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Outbox } from '@vigie/messaging';
import { OUTBOX, SERVICE_LOGGER } from '@vigie/service-kit';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { AdAssessor, MAX_RESCORES_PER_BATCH } from './ad-assessor.service';
import { NetworkState } from './network-state.service';

/** How often the queue is looked at when no batch comes to drain it. */
export const RESCORE_DRAIN_INTERVAL_MS = 5_000;

/**
 * Drains the re-assessment queue every few seconds, a batch's share (2,000 ads) a transaction
 * until no entry is due, publishing through the outbox. Kept out of the consumer's batches,
 * which would otherwise pay a round trip each for a queue that is nearly always empty.
 */
@Injectable()
export class RescoreDrainer implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(
    private readonly dataSource: DataSource,
    private readonly assessor: AdAssessor,
    private readonly network: NetworkState,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.stopped = false;
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Drains the due entries now, a share a transaction; returns how many re-assessments were published. */
  async drainOnce(): Promise<number> {
    // Until the week's ads and the hash lists are loaded, re-assessments would miss their evidence.
    if (!this.network.loaded) return 0;
    let published = 0;
    for (;;) {
      const { claimed, events } = await this.dataSource.transaction(async (manager) => {
        const drained = await this.assessor.drainQueue(manager, MAX_RESCORES_PER_BATCH);
        await this.outbox.enqueue(manager, drained.events);
        return drained;
      });
      published += events.length;
      if (claimed < MAX_RESCORES_PER_BATCH || this.stopped) return published;
    }
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.running = this.drainOnce()
        // Nothing lost: the entries stay queued (a deadlock with a batch, the database away).
        .catch((error: unknown) => this.logger.warn({ err: error }, 'draining the re-assessment queue failed; tried again shortly'))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.schedule();
        });
    }, RESCORE_DRAIN_INTERVAL_MS);
    this.timer.unref();
  }
}

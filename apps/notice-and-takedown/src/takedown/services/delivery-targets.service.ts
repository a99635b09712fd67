import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG, SERVICE_SETTINGS, type ServiceConfig } from '@vigie/service-kit';
import type { NoticeAndTakedownSettings } from '../../notice-and-takedown.settings';
import { TakedownException, TakedownExceptionCode } from '../exceptions/takedown.exception';

/** Where and how a platform receives takedown commands, as held by the registry (ingest). */
export interface DeliveryTarget {
  platformId: string;
  integrationMode: 'http' | 'kafka';
  webhookUrl: string | null;
  /** Never logged, never stored here beyond the cache. */
  webhookSecret: string | null;
}

const cacheTtlMs = 60_000;
const lookupTimeoutMs = 3000;

/**
 * Reads platforms' delivery targets from ingest's registry with the service's admin key.
 * Answers are kept a minute: commands are requested far more often than platforms change
 * their integration, and a webhook URL or secret change is picked up within that minute.
 */
@Injectable()
export class DeliveryTargets {
  private readonly cache = new Map<string, { target: DeliveryTarget; expiresAt: number }>();
  private readonly inFlight = new Map<string, Promise<DeliveryTarget>>();

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(SERVICE_SETTINGS) private readonly settings: NoticeAndTakedownSettings,
  ) {}

  get configured(): boolean {
    return this.settings.serviceApiKey !== undefined;
  }

  /** Throws a 503 TakedownException when the registry cannot answer, 404 for an unknown platform. */
  async get(platformId: string): Promise<DeliveryTarget> {
    const cached = this.cache.get(platformId);
    if (cached && cached.expiresAt > Date.now()) return cached.target;
    // Concurrent requests for one platform share a single lookup.
    let pending = this.inFlight.get(platformId);
    if (!pending) {
      pending = this.fetchTarget(platformId).finally(() => this.inFlight.delete(platformId));
      this.inFlight.set(platformId, pending);
    }
    return pending;
  }

  /** Drops a cached target, e.g. after the platform rejected our signature (its secret may have changed). */
  forget(platformId: string): void {
    this.cache.delete(platformId);
  }

  private async fetchTarget(platformId: string): Promise<DeliveryTarget> {
    const key = this.settings.serviceApiKey;
    if (!key) {
      throw new TakedownException(
        TakedownExceptionCode.SERVICE_KEY_NOT_CONFIGURED,
        'VIGIE_SERVICE_API_KEY is not set, so the platform registry cannot be asked how to reach the platform; set it and restart',
      );
    }
    let response: Response;
    try {
      response = await fetch(`${this.config.authUrl}/admin/platforms/${encodeURIComponent(platformId)}/delivery-target`, {
        headers: { authorization: `Bearer ${key}` },
        signal: AbortSignal.timeout(lookupTimeoutMs),
      });
    } catch (error) {
      throw new TakedownException(
        TakedownExceptionCode.DELIVERY_TARGET_UNAVAILABLE,
        `the platform registry at ${this.config.authUrl} does not answer (${(error as Error).message}); retry later`,
      );
    }
    if (response.status === 404) {
      await response.body?.cancel();
      throw new TakedownException(TakedownExceptionCode.PLATFORM_NOT_FOUND, `no platform "${platformId}" is registered`);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new TakedownException(
        TakedownExceptionCode.DELIVERY_TARGET_UNAVAILABLE,
        `the platform registry answered ${response.status} for the delivery target of "${platformId}"`,
      );
    }
    const body = (await response.json()) as Partial<DeliveryTarget>;
    const target: DeliveryTarget = {
      platformId,
      integrationMode: body.integrationMode === 'kafka' ? 'kafka' : 'http',
      webhookUrl: body.webhookUrl ?? null,
      webhookSecret: body.webhookSecret ?? null,
    };
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(platformId, { target, expiresAt: Date.now() + cacheTtlMs });
    return target;
  }
}

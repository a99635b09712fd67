import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { SERVICE_CONFIG, SERVICE_SETTINGS, type ServiceConfig } from '@vigie/service-kit';
import type { NoticeAndTakedownSettings } from '../../notice-and-takedown.settings';

const unknownTtlMs = 10_000;

/**
 * Whether a platform is registered, asked of the registry (ingest) with the service key.
 * Platforms are never deleted, so a known one is remembered; an unknown one is asked again
 * after a few seconds (it may just have been registered).
 */
@Injectable()
export class PlatformDirectory {
  private readonly known = new Set<string>();
  private readonly unknownUntil = new Map<string, number>();

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(SERVICE_SETTINGS) private readonly settings: NoticeAndTakedownSettings,
  ) {}

  /** `true`/`false` when the registry answered; `null` when no service key is configured to ask. */
  async exists(platformId: string): Promise<boolean | null> {
    if (this.known.has(platformId)) return true;
    if ((this.unknownUntil.get(platformId) ?? 0) > Date.now()) return false;
    if (!this.settings.serviceApiKey) return null;
    let response: Response;
    try {
      response = await fetch(`${this.config.authUrl}/admin/platforms/${encodeURIComponent(platformId)}`, {
        headers: { authorization: `Bearer ${this.settings.serviceApiKey}` },
        signal: AbortSignal.timeout(3000),
      });
    } catch (error) {
      throw new ServiceUnavailableException({
        statusCode: 503,
        code: 'REGISTRY_UNAVAILABLE',
        message: `cannot check the platform: the registry at ${this.config.authUrl} does not answer (${(error as Error).message})`,
      });
    }
    await response.arrayBuffer();
    if (response.ok) {
      this.known.add(platformId);
      return true;
    }
    if (response.status === 404) {
      if (this.unknownUntil.size > 10_000) this.unknownUntil.clear();
      this.unknownUntil.set(platformId, Date.now() + unknownTtlMs);
      return false;
    }
    throw new ServiceUnavailableException({
      statusCode: 503,
      code: 'REGISTRY_UNAVAILABLE',
      message: `cannot check the platform: the registry answered ${response.status}`,
    });
  }
}

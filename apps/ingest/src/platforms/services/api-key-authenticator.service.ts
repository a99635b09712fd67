import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { type CallerRole, SERVICE_SETTINGS } from '@vigie/service-kit';
import { DataSource } from 'typeorm';
import type { IngestSettings } from '../../ingest.settings';
import { hashApiKey } from './api-keys';

export type Role = CallerRole;

export interface Principal {
  keyId: string;
  role: Role;
  /** The only platform this key may act for (always set for platform keys). */
  platformId: string | null;
  /** Pseudonymous id of a person or organisation (moderator, trusted flagger, authority). */
  principalId: string | null;
}

const cacheTtlMs = 5000;
const bootstrapKeyId = '00000000-0000-7000-8000-000000000001';

/**
 * Resolves an API key to its principal. Results are cached for a few seconds (keyed by the
 * key's hash) so a busy stream does not hit the database per request; a revoked key stops
 * working within that time.
 */
@Injectable()
export class ApiKeyAuthenticator implements OnApplicationBootstrap {
  private readonly cache = new Map<string, { principal: Principal | null; expiresAt: number }>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVICE_SETTINGS) private readonly settings: IngestSettings,
  ) {}

  /** Records the configured bootstrap admin key (as a hash), replacing a previous one. */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.settings.adminApiKey) return;
    await this.dataSource.query(
      `INSERT INTO ingest.api_keys (id, platform_id, role, label, key_hash)
       VALUES ($1, NULL, 'admin', 'bootstrap (INGEST_ADMIN_API_KEY)', $2)
       ON CONFLICT (id) DO UPDATE SET key_hash = excluded.key_hash, revoked_at = NULL`,
      [bootstrapKeyId, hashApiKey(this.settings.adminApiKey)],
    );
  }

  async authenticate(key: string): Promise<Principal | null> {
    const hash = hashApiKey(key);
    const cacheKey = hash.toString('base64');
    const cached = this.cache.get(cacheKey);
    if (cached && cached.expiresAt > Date.now()) return cached.principal;
    const rows: { id: string; role: Role; platform_id: string | null; principal_id: string | null }[] = await this.dataSource.query(
      `SELECT id, role, platform_id, principal_id FROM ingest.api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hash],
    );
    const row = rows[0];
    const principal = row ? { keyId: row.id, role: row.role, platformId: row.platform_id, principalId: row.principal_id } : null;
    if (this.cache.size > 10000) this.cache.clear();
    this.cache.set(cacheKey, { principal, expiresAt: Date.now() + cacheTtlMs });
    return principal;
  }

  forget(): void {
    this.cache.clear();
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { uuidv7 } from '@vigie/contracts';
import { SERVICE_SETTINGS, updateReturning } from '@vigie/service-kit';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { IngestSettings } from '../../ingest.settings';
import type { CreatePlatformBody, CreatePrincipalKeyBody, DeliveryTargetView, PlatformView, PrincipalKeyView } from '../dtos/platform.dtos';
import { PlatformException, PlatformExceptionCode } from '../exceptions/platform.exception';
import { ApiKeyAuthenticator } from './api-key-authenticator.service';
import { generateApiKey, hashApiKey } from './api-keys';
import { open, seal } from './secret-box';

const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface PlatformRow {
  id: string;
  name: string;
  integration_mode: 'http' | 'kafka';
  webhook_url: string | null;
  webhook_secret_sealed: Buffer | null;
  created_at: Date;
}

/** Registers platforms and their keys. Secrets are returned once, at creation, never again. */
@Injectable()
export class PlatformRegistry {
  private readonly knownPlatforms = new Set<string>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly authenticator: ApiKeyAuthenticator,
    @Inject(SERVICE_SETTINGS) private readonly settings: IngestSettings,
  ) {}

  async create(body: CreatePlatformBody): Promise<{ platform: PlatformView; apiKey: string; webhookSecret: string | null }> {
    let sealedSecret: Buffer | null = null;
    let webhookSecret: string | null = null;
    if (body.webhookUrl) {
      if (!this.settings.secretsKey) {
        throw new PlatformException(
          PlatformExceptionCode.SECRETS_KEY_NOT_CONFIGURED,
          'VIGIE_SECRETS_KEY is not configured, so webhook secrets cannot be stored; set it and restart ingest',
        );
      }
      webhookSecret = randomBytes(32).toString('base64url');
      sealedSecret = seal(this.settings.secretsKey, webhookSecret);
    }
    const apiKey = generateApiKey();
    await this.dataSource.transaction(async (manager) => {
      const inserted = await manager.query(
        `INSERT INTO ingest.platforms (id, name, integration_mode, webhook_url, webhook_secret_sealed)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [body.id, body.name, body.integrationMode, body.webhookUrl ?? null, sealedSecret],
      );
      if (inserted.length === 0) {
        throw new PlatformException(PlatformExceptionCode.PLATFORM_ALREADY_EXISTS, `platform "${body.id}" already exists`);
      }
      await manager.query(
        `INSERT INTO ingest.api_keys (id, platform_id, role, label, key_hash) VALUES ($1, $2, 'platform', 'initial key', $3)`,
        [uuidv7(), body.id, hashApiKey(apiKey)],
      );
    });
    return { platform: await this.get(body.id), apiKey, webhookSecret };
  }

  async list(): Promise<PlatformView[]> {
    const rows: PlatformRow[] = await this.dataSource.query(`SELECT * FROM ingest.platforms ORDER BY id`);
    return Promise.all(rows.map((row) => this.view(row)));
  }

  async get(id: string): Promise<PlatformView> {
    const [row]: PlatformRow[] = await this.dataSource.query(`SELECT * FROM ingest.platforms WHERE id = $1`, [id]);
    if (!row) throw new PlatformException(PlatformExceptionCode.PLATFORM_NOT_FOUND, `no platform "${id}"`);
    return this.view(row);
  }

  /** Throws 404 unless the platform exists; remembered, since platforms are never deleted. */
  async requireExists(id: string): Promise<void> {
    if (this.knownPlatforms.has(id)) return;
    const rows = await this.dataSource.query(`SELECT 1 FROM ingest.platforms WHERE id = $1`, [id]);
    if (rows.length === 0) throw new PlatformException(PlatformExceptionCode.PLATFORM_NOT_FOUND, `no platform "${id}"`);
    this.knownPlatforms.add(id);
  }

  async createApiKey(platformId: string, label: string): Promise<{ id: string; apiKey: string }> {
    await this.requireExists(platformId);
    const apiKey = generateApiKey();
    const id = uuidv7();
    await this.dataSource.query(
      `INSERT INTO ingest.api_keys (id, platform_id, role, label, key_hash) VALUES ($1, $2, 'platform', $3, $4)`,
      [id, platformId, label, hashApiKey(apiKey)],
    );
    return { id, apiKey };
  }

  async revokeApiKey(platformId: string, keyId: string): Promise<void> {
    const notFound = () =>
      new PlatformException(PlatformExceptionCode.API_KEY_NOT_FOUND, `no active key "${keyId}" for platform "${platformId}"`);
    if (!isUuid.test(keyId)) throw notFound();
    const rows = await updateReturning(
      this.dataSource,
      `UPDATE ingest.api_keys SET revoked_at = clock_timestamp()
        WHERE id = $1 AND platform_id = $2 AND revoked_at IS NULL RETURNING id`,
      [keyId, platformId],
    );
    if (rows.length === 0) throw notFound();
    this.authenticator.forget();
  }

  /** A key for a moderator, officer, trusted flagger, authority, regulator or another admin. */
  async createPrincipalKey(body: CreatePrincipalKeyBody): Promise<{ key: PrincipalKeyView; apiKey: string }> {
    const platformId = body.platformId ?? null;
    if (platformId !== null) {
      if (body.role !== 'moderator' && body.role !== 'officer') {
        throw new PlatformException(PlatformExceptionCode.INVALID_REQUEST, `a ${body.role} key cannot be bound to a platform`, [
          { field: '/platformId', reason: 'only moderator and officer keys belong to one platform' },
        ]);
      }
      await this.requireExists(platformId);
    }
    const apiKey = generateApiKey();
    const id = uuidv7();
    await this.dataSource.query(
      `INSERT INTO ingest.api_keys (id, platform_id, role, principal_id, label, key_hash) VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, platformId, body.role, body.principalId, body.label, hashApiKey(apiKey)],
    );
    const [key] = await this.principalKeys(id);
    return { key: key as PrincipalKeyView, apiKey };
  }

  /** Every key that is not a platform's own, newest last; never the keys themselves. */
  async principalKeys(id?: string): Promise<PrincipalKeyView[]> {
    const rows: { id: string; role: string; principal_id: string | null; platform_id: string | null; label: string; created_at: Date; revoked_at: Date | null }[] =
      await this.dataSource.query(
        `SELECT id, role, principal_id, platform_id, label, created_at, revoked_at FROM ingest.api_keys
          WHERE role <> 'platform' AND ($1::uuid IS NULL OR id = $1::uuid) ORDER BY created_at, id`,
        [id ?? null],
      );
    return rows.map((row) => ({
      id: row.id,
      role: row.role,
      principalId: row.principal_id,
      platformId: row.platform_id,
      label: row.label,
      createdAt: row.created_at.toISOString(),
      revokedAt: row.revoked_at?.toISOString() ?? null,
    }));
  }

  async revokePrincipalKey(keyId: string): Promise<void> {
    const notFound = () => new PlatformException(PlatformExceptionCode.API_KEY_NOT_FOUND, `no active key "${keyId}"`);
    if (!isUuid.test(keyId)) throw notFound();
    const rows = await updateReturning(
      this.dataSource,
      `UPDATE ingest.api_keys SET revoked_at = clock_timestamp()
        WHERE id = $1 AND role <> 'platform' AND revoked_at IS NULL RETURNING id`,
      [keyId],
    );
    if (rows.length === 0) throw notFound();
    this.authenticator.forget();
  }

  /** The webhook address and its signing secret, unsealed, for the takedown sender. */
  async deliveryTarget(platformId: string): Promise<DeliveryTargetView> {
    const [row]: PlatformRow[] = await this.dataSource.query(`SELECT * FROM ingest.platforms WHERE id = $1`, [platformId]);
    if (!row) throw new PlatformException(PlatformExceptionCode.PLATFORM_NOT_FOUND, `no platform "${platformId}"`);
    let webhookSecret: string | null = null;
    if (row.webhook_secret_sealed) {
      if (!this.settings.secretsKey) {
        throw new PlatformException(
          PlatformExceptionCode.SECRETS_KEY_NOT_CONFIGURED,
          'VIGIE_SECRETS_KEY is not configured, so the webhook secret cannot be read; set it and restart ingest',
        );
      }
      webhookSecret = open(this.settings.secretsKey, row.webhook_secret_sealed);
    }
    return { platformId: row.id, integrationMode: row.integration_mode, webhookUrl: row.webhook_url, webhookSecret };
  }

  private async view(row: PlatformRow): Promise<PlatformView> {
    const keys: { id: string; label: string; created_at: Date; revoked_at: Date | null }[] = await this.dataSource.query(
      `SELECT id, label, created_at, revoked_at FROM ingest.api_keys WHERE platform_id = $1 ORDER BY created_at`,
      [row.id],
    );
    return {
      id: row.id,
      name: row.name,
      integrationMode: row.integration_mode,
      webhookUrl: row.webhook_url,
      hasWebhookSecret: row.webhook_secret_sealed !== null,
      createdAt: row.created_at.toISOString(),
      apiKeys: keys.map((key) => ({
        id: key.id,
        label: key.label,
        createdAt: key.created_at.toISOString(),
        revokedAt: key.revoked_at?.toISOString() ?? null,
      })),
    };
  }
}

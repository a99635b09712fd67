import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { generateSigningKeyPair, loadSigningKey } from '@vigie/audit-chain';
import { SERVICE_LOGGER, SERVICE_SETTINGS } from '@vigie/service-kit';
import type { KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { AuditSettings } from '../../audit.settings';

export interface PublishedKey {
  keyId: string;
  algorithm: 'ed25519';
  publicKeyPem: string;
  validFrom: string;
  /** Null for the key currently signing. */
  validUntil: string | null;
}

/**
 * The checkpoint signing key. Its public half is recorded in `audit.signing_keys` the first
 * time the service signs with it, and the key it replaces is closed at that moment, so
 * `GET /keys` lists every key that ever signed, with when.
 */
@Injectable()
export class SigningKeys implements OnModuleInit {
  private current: { keyId: string; privateKey: KeyObject; publicKeyPem: string } | undefined;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVICE_SETTINGS) private readonly settings: AuditSettings,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const file = this.settings.signingKeyFile;
    if (!existsSync(file)) {
      if (!this.settings.signingKeyIsLocal) throw new Error(`AUDIT_SIGNING_KEY_FILE ${file} does not exist (create one with: npm run vigie -- audit keys generate)`);
      const pair = generateSigningKeyPair();
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, pair.privateKeyPem, { mode: 0o600 });
      writeFileSync(`${file}.pub`, pair.publicKeyPem);
      this.logger.warn({ file, keyId: pair.keyId }, 'AUDIT_SIGNING_KEY_FILE is not set: generated a local checkpoint signing key (for local use only)');
    }
    const loaded = loadSigningKey(readFileSync(file, 'utf8'));
    this.current = { keyId: loaded.keyId, privateKey: loaded.privateKey, publicKeyPem: loaded.publicKeyPem };
    await this.dataSource.transaction(async (manager) => {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO audit.signing_keys (key_id, public_key_pem, valid_from) VALUES ($1, $2, now())
         ON CONFLICT (key_id) DO NOTHING RETURNING key_id`,
        [loaded.keyId, loaded.publicKeyPem],
      );
      if (inserted.length > 0) {
        await manager.query('UPDATE audit.signing_keys SET valid_until = now() WHERE key_id <> $1 AND valid_until IS NULL', [loaded.keyId]);
        this.logger.info({ keyId: loaded.keyId }, 'new checkpoint signing key in use');
      }
    });
  }

  get signing(): { keyId: string; privateKey: KeyObject; publicKeyPem: string } {
    if (!this.current) throw new Error('the signing key is not loaded yet');
    return this.current;
  }

  async list(): Promise<PublishedKey[]> {
    const rows: { key_id: string; public_key_pem: string; valid_from: Date; valid_until: Date | null }[] = await this.dataSource.query(
      'SELECT key_id, public_key_pem, valid_from, valid_until FROM audit.signing_keys ORDER BY valid_from',
    );
    return rows.map((row) => ({
      keyId: row.key_id,
      algorithm: 'ed25519',
      publicKeyPem: row.public_key_pem,
      validFrom: row.valid_from.toISOString(),
      validUntil: row.valid_until?.toISOString() ?? null,
    }));
  }

  async publicKeyPem(keyId: string): Promise<string | undefined> {
    const [row] = await this.dataSource.query('SELECT public_key_pem FROM audit.signing_keys WHERE key_id = $1', [keyId]);
    return row?.public_key_pem;
  }
}

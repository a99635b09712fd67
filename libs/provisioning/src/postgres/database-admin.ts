import { Client } from 'pg';

// PostgreSQL error code for CREATE DATABASE racing another session creating the same name.
const DUPLICATE_DATABASE = '42P04';

/** The same server and credentials as `url`, pointed at database `name`. */
export function databaseUrl(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(name)}`;
  return parsed.toString();
}

/** `url` with its password masked, for log lines and error messages. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>, connectionTimeoutMillis = 10_000): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis });
  // A server shutting down under an open connection emits 'error'; unhandled it would crash the host.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates database `name` through a superuser connection (`adminUrl`) unless it exists; true when created. */
export async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<boolean> {
  return withClient(adminUrl, async (client) => {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (existing.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === DUPLICATE_DATABASE) return false;
      throw error;
    }
  });
}

/** Drops database `name` if present, disconnecting its sessions first (PostgreSQL 13+). */
export async function dropDatabaseIfExists(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`));
}

/** Undefined when a session can be opened at `url` within `timeoutMs`, else the reason it cannot. */
export async function probePostgres(url: string, timeoutMs: number): Promise<string | undefined> {
  try {
    await withClient(url, (client) => client.query('SELECT 1'), timeoutMs);
    return undefined;
  } catch (error) {
    // Node reports some refused connections as an AggregateError with an empty message.
    return (error as Error).message || (error as NodeJS.ErrnoException).code || String(error);
  }
}

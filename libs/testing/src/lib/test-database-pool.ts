import { Pool } from 'pg';

/**
 * A small pg pool for a spec's own queries against a database the spec drops afterwards.
 *
 * pool.end() resolves while its last connections are still closing; the database is then
 * dropped WITH (FORCE), which terminates them, and a pool without an error listener turns that
 * expected FATAL (57P01) into an unhandled error that fails the whole test file.
 */
export function openTestDatabasePool(connectionString: string, max = 3): Pool {
  const pool = new Pool({ connectionString, max });
  pool.on('error', () => undefined);
  return pool;
}

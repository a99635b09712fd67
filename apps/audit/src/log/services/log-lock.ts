import type { Pool, PoolClient } from 'pg';

/**
 * The advisory lock every append to `audit.log` holds until its transaction commits. Appends
 * are therefore serialised, which buys two guarantees cheaply (hashing happens in memory and
 * a batch is one multi-row INSERT, so the lock is held for milliseconds):
 * - positions become visible in order: a reader that sees position p will never later see a
 *   new record below p, so tailing by position needs no gap handling;
 * - a checkpoint that takes the same lock gets a clean cut: every record up to a position,
 *   none after.
 */
export const AUDIT_LOG_APPEND_LOCK = 7_301_004_001;

/**
 * Runs `work` in a transaction of its own holding the append lock, for code that writes the log
 * beside the service rather than through it (test fixtures, the benchmark's bulk seeding).
 */
export async function withAppendLock<T>(pool: Pick<Pool, 'connect'>, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOG_APPEND_LOCK]);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

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

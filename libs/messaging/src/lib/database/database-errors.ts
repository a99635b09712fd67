// What a database error says about the database, for callers that must choose between trying
// again (the database is away, or two transactions collided) and giving up on the work itself.
// HTTP answers 503 for the first; a consumer keeps its batch for a later attempt instead of
// dead-lettering a valid event.

/**
 * SQLSTATEs of a database that cannot serve the query at all (not of a bad query): connection
 * failures (class 08), shutdown and crash (57P01–57P03), too many connections (53300),
 * a database not accepting connections (55000 with that message is covered by its text).
 */
const UNAVAILABLE_STATES = /^(08...|57P0[1-3]|53300)$/;
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'is not currently accepting connections',
  'the database system is starting up',
  'the database system is shutting down',
];

/**
 * SQLSTATEs of a transaction that lost a race with another and may well pass when run again:
 * deadlock (40P01), serialization failure (40001), lock not available (55P03).
 */
const COLLISION_STATES = new Set(['40P01', '40001', '55P03']);

/** Whether `error`, or an error it wraps, satisfies `test`. */
function someCause(error: unknown, test: (code: unknown, message: unknown) => boolean): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (test(code, message)) return true;
    // TypeORM keeps the driver's error beside its own; Node keeps the reason in `cause`.
    current = (current as { driverError?: unknown }).driverError ?? (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Whether `error` says the database is unreachable or refusing work, rather than that a query is wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return someCause(
    error,
    (code, message) =>
      (typeof code === 'string' && (UNAVAILABLE_STATES.test(code) || UNAVAILABLE_SOCKET_CODES.has(code))) ||
      (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((text) => message.includes(text))),
  );
}

/** Whether the same work may succeed later: the database is away, or the transaction collided with another. */
export function isTransientDatabaseError(error: unknown): boolean {
  return isDatabaseUnavailable(error) || someCause(error, (code) => typeof code === 'string' && COLLISION_STATES.has(code));
}

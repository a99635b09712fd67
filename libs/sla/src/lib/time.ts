// Date/time with an explicit offset: a timestamp without one would be read in the host's zone,
// and an audit must not depend on where it runs.
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch milliseconds of an ISO 8601 timestamp that states its offset (`Z` or `±hh:mm`). */
export function toEpochMs(iso: string): number {
  const ms = ISO_WITH_OFFSET.test(iso) ? Date.parse(iso) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new RangeError(`expected an ISO 8601 timestamp with an offset, e.g. 2026-11-23T08:00:00.000Z, got ${JSON.stringify(iso)}`);
  }
  return ms;
}

/** The UTC timestamp with milliseconds that events carry, e.g. `2026-11-23T08:00:00.000Z`. */
export function toIsoTimestamp(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`expected epoch milliseconds, got ${ms}`);
  return new Date(ms).toISOString();
}

/**
 * What went wrong with a fetch that got no answer. Node's fetch reports every network failure
 * as "fetch failed" and keeps the reason (ECONNREFUSED, a socket closed mid-way…) in `cause`.
 */
export function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code && cause.message && !cause.message.includes(cause.code)) return `${cause.code} (${cause.message})`;
  return cause?.message ?? cause?.code ?? (error as Error).message;
}

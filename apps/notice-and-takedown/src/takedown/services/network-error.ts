/**
 * What went wrong with a fetch that got no answer. Node's fetch reports every network failure
 * as "fetch failed" and keeps the reason (ECONNREFUSED, a socket closed mid-way…) in `cause`.
 */
export function describeNetworkError(error: unknown): string {
  // node:http reports the failure itself; fetch wraps it in `cause`.
  const cause = (error as { cause?: { code?: string; message?: string } }).cause ?? (error as { code?: string; message?: string });
  if (cause?.code && cause.message && !cause.message.includes(cause.code)) return `${cause.code} (${cause.message})`;
  return cause?.message ?? cause?.code ?? (error as Error).message;
}

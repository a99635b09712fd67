/**
 * When to try again, and whether to. Pure, so the schedule can be tested without clocks.
 */

/** No retry waits longer than this, whatever the attempt count: recovery is noticed within it. */
export const MAX_BACKOFF_MS = 15 * 60_000;

/**
 * Exponential backoff with jitter: after the n-th failed attempt, wait between half and all
 * of `base · 2^(n-1)` (capped). The jitter spreads the retries of many commands that failed
 * together (a platform outage) so recovery is not met by a burst.
 */
export function backoffDelayMs(failedAttempts: number, baseMs: number, random: () => number = Math.random, capMs = MAX_BACKOFF_MS): number {
  const exponent = Math.min(Math.max(failedAttempts, 1) - 1, 40);
  const ceiling = Math.min(capMs, baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export type WebhookAnswerClass = 'delivered' | 'retry' | 'permanent';

/**
 * A 2xx means the platform has the command. 408 and 429 say "not now", 5xx "not working":
 * both are retried. Any other answer (4xx: the platform rejects the request itself) will not
 * change by sending the same command again, so it is a permanent failure.
 */
export function classifyWebhookStatus(status: number): WebhookAnswerClass {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'permanent';
}

/** A `Retry-After` header (seconds or an HTTP date) as a delay in ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, nowMs = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** The delay before the next attempt: the backoff, or longer when the platform asked for it. */
export function nextAttemptDelayMs(failedAttempts: number, baseMs: number, requestedMs?: number, random: () => number = Math.random): number {
  const backoff = backoffDelayMs(failedAttempts, baseMs, random);
  return requestedMs === undefined ? backoff : Math.max(backoff, Math.min(requestedMs, MAX_BACKOFF_MS));
}

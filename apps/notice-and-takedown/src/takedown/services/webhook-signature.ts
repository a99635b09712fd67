import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How a platform checks that a takedown command comes from Vigie: an HMAC-SHA256, keyed with
 * the platform's webhook secret, over `<timestamp>.<body>`. Signing the timestamp with the
 * body lets the platform refuse replays older than its tolerance.
 */
export const WebhookHeaders = {
  signature: 'x-vigie-signature',
  timestamp: 'x-vigie-timestamp',
  commandId: 'x-vigie-command-id',
  attempt: 'x-vigie-attempt',
} as const;

/** `sha256=<hex>` for a body sent at `timestamp` (Unix seconds, as sent in X-Vigie-Timestamp). */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/** Constant-time check of a received signature, refusing timestamps outside the tolerance. */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string,
  body: string,
  signature: string,
  options: { toleranceSeconds?: number; nowMs?: number } = {},
): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  const skew = Math.abs((options.nowMs ?? Date.now()) / 1000 - Number(timestamp));
  if (skew > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body), 'utf8');
  const received = Buffer.from(signature, 'utf8');
  return expected.length === received.length && timingSafeEqual(expected, received);
}

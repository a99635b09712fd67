import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/**
 * The receiving end of Vigie's takedown webhook, as the simulated platforms of the demo and the
 * fault tests implement it: with their own HMAC code (not Vigie's `verifyWebhookSignature`), so
 * a mistake in Vigie's signing is caught rather than mirrored.
 */

export const readBody = (request: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });

/**
 * Whether a webhook call is Vigie's: `X-Vigie-Signature: sha256=<hex>` of `<timestamp>.<body>`
 * keyed with the platform's secret, the `X-Vigie-Timestamp` within 5 minutes (no replays).
 */
export function signedByVigie(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const timestamp = String(headers['x-vigie-timestamp'] ?? '');
  const header = headers['x-vigie-signature'];
  if (!secret || !/^\d{1,12}$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest();
  const given = Buffer.from(header.slice(7), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

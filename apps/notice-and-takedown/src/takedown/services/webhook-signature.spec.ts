import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhookSignature } from './webhook-signature';

describe('webhook signature', () => {
  const secret = 'whsec-test';
  const body = '{"type":"takedown.requested","data":{"commandId":"x"}}';

  it('is sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">', () => {
    const expected = createHmac('sha256', secret).update(`1795000000.${body}`).digest('hex');
    expect(signWebhook(secret, '1795000000', body)).toBe(`sha256=${expected}`);
  });

  it('verifies its own signature within the tolerance', () => {
    const now = 1_795_000_000_000;
    const timestamp = String(now / 1000);
    expect(verifyWebhookSignature(secret, timestamp, body, signWebhook(secret, timestamp, body), { nowMs: now })).toBe(true);
  });

  it('refuses another body, another secret, a replayed timestamp and garbage', () => {
    const now = 1_795_000_000_000;
    const timestamp = String(now / 1000);
    const signature = signWebhook(secret, timestamp, body);
    expect(verifyWebhookSignature(secret, timestamp, `${body} `, signature, { nowMs: now })).toBe(false);
    expect(verifyWebhookSignature('other', timestamp, body, signature, { nowMs: now })).toBe(false);
    expect(verifyWebhookSignature(secret, timestamp, body, signature, { nowMs: now + 301_000 })).toBe(false);
    expect(verifyWebhookSignature(secret, 'yesterday', body, signature, { nowMs: now })).toBe(false);
    expect(verifyWebhookSignature(secret, timestamp, body, 'sha256=00', { nowMs: now })).toBe(false);
  });
});

import { backoffDelayMs, classifyWebhookStatus, MAX_BACKOFF_MS, nextAttemptDelayMs, retryAfterMs } from './retry-policy';

describe('retry policy', () => {
  it('doubles the backoff per failed attempt, jittered between half and all of it', () => {
    expect(backoffDelayMs(1, 1000, () => 0)).toBe(500);
    expect(backoffDelayMs(1, 1000, () => 1)).toBe(1000);
    expect(backoffDelayMs(2, 1000, () => 1)).toBe(2000);
    expect(backoffDelayMs(4, 1000, () => 0.5)).toBe(6000);
  });

  it('never waits longer than the cap, however many attempts failed', () => {
    expect(backoffDelayMs(60, 1000, () => 1)).toBe(MAX_BACKOFF_MS);
    expect(backoffDelayMs(10_000, 1000, () => 0)).toBe(MAX_BACKOFF_MS / 2);
  });

  it('honours a longer Retry-After, within the cap', () => {
    expect(nextAttemptDelayMs(1, 1000, 30_000, () => 1)).toBe(30_000);
    expect(nextAttemptDelayMs(3, 1000, 10, () => 1)).toBe(4000);
    expect(nextAttemptDelayMs(1, 1000, 10 * 3600_000, () => 1)).toBe(MAX_BACKOFF_MS);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-23T08:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Mon, 23 Nov 2026 08:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it.each([
    [200, 'delivered'],
    [202, 'delivered'],
    [204, 'delivered'],
    [408, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
    [301, 'permanent'],
    [400, 'permanent'],
    [401, 'permanent'],
    [404, 'permanent'],
    [422, 'permanent'],
  ] as const)('classifies a %i answer as %s', (status, expected) => {
    expect(classifyWebhookStatus(status)).toBe(expected);
  });
});

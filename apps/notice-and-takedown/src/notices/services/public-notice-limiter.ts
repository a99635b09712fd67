/**
 * Anonymous notices are allowed (anyone may report an ad) but rate-limited per client address
 * with a token bucket: `perMinute` notices, refilled continuously. Kept in memory: a restart
 * forgets, which errs on the side of accepting notices. Bounded: the oldest buckets are
 * dropped past `maxClients`.
 */
export class PublicNoticeLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedMs: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly maxClients = 100_000,
  ) {}

  /** 0 when the notice may go ahead (a token is taken), else seconds until one is available. */
  take(client: string, nowMs: number): number {
    const refillPerMs = this.perMinute / 60_000;
    const bucket = this.buckets.get(client) ?? { tokens: this.perMinute, updatedMs: nowMs };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (nowMs - bucket.updatedMs) * refillPerMs);
    bucket.updatedMs = nowMs;
    this.buckets.delete(client);
    this.buckets.set(client, bucket);
    if (this.buckets.size > this.maxClients) this.buckets.delete(this.buckets.keys().next().value as string);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerMs / 1000));
  }
}

import { isIPv4, isIPv6 } from 'node:net';

/**
 * The client a budget belongs to: an IPv4 address, or the /64 network of an IPv6 one. One
 * subscriber gets a whole /64 (often far more), so counting IPv6 addresses one by one gave
 * anyone an unlimited budget.
 */
export function rateLimitClient(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1] as string;
  if (isIPv4(address) || !isIPv6(address)) return address;
  const network = ipv6Groups(address).slice(0, 4).map((group) => parseInt(group, 16).toString(16));
  return `${network.join(':')}::/64`;
}

/** The eight groups of an IPv6 address, `::` expanded (an embedded IPv4 tail counts as two). */
function ipv6Groups(address: string): string[] {
  const plain = (address.split('%')[0] as string).toLowerCase();
  const compressed = plain.indexOf('::');
  const split = (part: string) => (part === '' ? [] : part.split(':'));
  if (compressed < 0) return split(plain);
  const left = split(plain.slice(0, compressed));
  const right = split(plain.slice(compressed + 2));
  const width = (groups: string[]) => groups.reduce((sum, group) => sum + (group.includes('.') ? 2 : 1), 0);
  return [...left, ...Array<string>(Math.max(0, 8 - width(left) - width(right))).fill('0'), ...right];
}

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

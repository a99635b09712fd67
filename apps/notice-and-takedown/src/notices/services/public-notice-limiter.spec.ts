import { PublicNoticeLimiter, rateLimitClient } from './public-notice-limiter';

describe('PublicNoticeLimiter', () => {
  it('lets `perMinute` notices through, then asks the client to wait, per address', () => {
    const limiter = new PublicNoticeLimiter(3);
    expect([0, 1, 2].map(() => limiter.take('10.0.0.1', 1000))).toEqual([0, 0, 0]);
    expect(limiter.take('10.0.0.1', 1000)).toBe(20);
    expect(limiter.take('10.0.0.2', 1000)).toBe(0);
  });

  it('refills continuously', () => {
    const limiter = new PublicNoticeLimiter(60);
    for (let i = 0; i < 60; i += 1) limiter.take('a', 0);
    expect(limiter.take('a', 0)).toBe(1);
    expect(limiter.take('a', 1000)).toBe(0);
  });

  it('forgets the oldest clients past its bound', () => {
    const limiter = new PublicNoticeLimiter(1, 2);
    limiter.take('a', 0);
    limiter.take('b', 0);
    limiter.take('c', 0);
    expect(limiter.take('a', 0)).toBe(0);
  });
});

describe('rateLimitClient', () => {
  it('counts an IPv6 client by its /64, however it writes its address', () => {
    const network = '2001:db8:85a3:12::/64';
    for (const address of ['2001:db8:85a3:12::1', '2001:0db8:85a3:0012:ffff:ffff:ffff:ffff', '2001:DB8:85A3:12:0:0:0:2', '2001:db8:85a3:12::1%eth0']) {
      expect([address, rateLimitClient(address)]).toEqual([address, network]);
    }
    expect(rateLimitClient('2001:db8:85a3:13::1')).not.toBe(network);
    expect(rateLimitClient('::1')).toBe('0:0:0:0::/64');
    expect(rateLimitClient('2001:db8::')).toBe('2001:db8:0:0::/64');
    expect(rateLimitClient('fe80::1.2.3.4')).toBe('fe80:0:0:0::/64');
  });

  it('keeps IPv4 addresses, mapped or not, and anything else, as they are', () => {
    expect(rateLimitClient('203.0.113.7')).toBe('203.0.113.7');
    expect(rateLimitClient('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(rateLimitClient('unknown')).toBe('unknown');
  });
});

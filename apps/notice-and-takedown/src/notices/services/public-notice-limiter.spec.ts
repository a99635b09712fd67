import { PublicNoticeLimiter } from './public-notice-limiter';

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

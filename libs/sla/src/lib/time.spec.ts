import fc from 'fast-check';
import { toEpochMs, toIsoTimestamp } from './time';

describe('toEpochMs', () => {
  it.each([
    ['2026-11-23T08:00:00.000Z', Date.UTC(2026, 10, 23, 8)],
    ['2026-11-23T09:00:00+01:00', Date.UTC(2026, 10, 23, 8)],
    ['2026-11-23T08:00Z', Date.UTC(2026, 10, 23, 8)],
  ])('reads %s', (iso, expected) => {
    expect(toEpochMs(iso)).toBe(expected);
  });

  it.each(['2026-11-23T08:00:00.000', '2026-11-23', 'yesterday', '2026-13-45T08:00:00Z', ''])('rejects %j', (iso) => {
    expect(() => toEpochMs(iso)).toThrow(RangeError);
  });

  it('round-trips with toIsoTimestamp', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 0) }), (ms) => {
        expect(toEpochMs(toIsoTimestamp(ms))).toBe(ms);
      }),
    );
  });
});

describe('toIsoTimestamp', () => {
  it('writes UTC with milliseconds, as events carry them', () => {
    expect(toIsoTimestamp(Date.UTC(2026, 10, 23, 8, 22, 58, 5))).toBe('2026-11-23T08:22:58.005Z');
    expect(() => toIsoTimestamp(Number.NaN)).toThrow(RangeError);
  });
});

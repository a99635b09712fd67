import { createUuidV7Generator, isUuidV7, uuidv7, uuidV7Floor, uuidV7Timestamp } from './uuidv7';

const fixedClock = (ms: number) => () => ms;

/** Index of the first id not strictly greater than its predecessor, or -1. */
function firstOutOfOrder(ids: readonly string[]): number {
  return ids.findIndex((id, index) => index > 0 && !(id > ids[index - 1]));
}

describe('uuidv7', () => {
  it('produces RFC 9562 version 7, variant 10 ids in canonical lowercase form', () => {
    const ids = Array.from({ length: 1000 }, () => uuidv7());
    const canonical = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(ids.filter((id) => !canonical.test(id) || !isUuidV7(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('embeds the generation time in the first 48 bits', () => {
    const before = Date.now();
    const id = uuidv7();
    const after = Date.now();
    expect(uuidV7Timestamp(id)).toBeGreaterThanOrEqual(before);
    expect(uuidV7Timestamp(id)).toBeLessThanOrEqual(after);
  });

  it('reads the timestamp of the RFC 9562 test vector', () => {
    expect(uuidV7Timestamp('017f22e2-79b0-7cc3-98c4-dc0c0c07398f')).toBe(0x017f22e279b0);
  });

  it('lays out timestamp, counter and random bits exactly', () => {
    const generate = createUuidV7Generator({
      now: fixedClock(0x017f22e279b0),
      fillRandom: (bytes) => bytes.fill(0),
    });
    expect(generate()).toBe('017f22e2-79b0-7000-8000-000000000000');
    expect(generate()).toBe('017f22e2-79b0-7001-8000-000000000000');
  });

  it('sorts in creation order across many ids from the process-wide generator', () => {
    const ids = Array.from({ length: 20_000 }, () => uuidv7());
    expect(firstOutOfOrder(ids)).toBe(-1);
  });

  it('stays monotonic within one millisecond by counting, then borrows the next millisecond', () => {
    const clockMs = Date.UTC(2026, 10, 23, 8, 0, 0, 0);
    const generate = createUuidV7Generator({ now: fixedClock(clockMs) });
    const ids = Array.from({ length: 10_000 }, () => generate());
    expect(uuidV7Timestamp(ids[0])).toBe(clockMs);
    expect(uuidV7Timestamp(ids[2047])).toBe(clockMs);
    expect(firstOutOfOrder(ids)).toBe(-1);
    // 10,000 ids need at most 5 counter rollovers of at least 2,048 steps each.
    expect(uuidV7Timestamp(ids[ids.length - 1])).toBeGreaterThan(clockMs);
    expect(uuidV7Timestamp(ids[ids.length - 1])).toBeLessThanOrEqual(clockMs + 5);
  });

  it('keeps ordering when the wall clock steps back', () => {
    const readings = [5_000, 5_000, 4_000, 4_500, 5_001];
    const generate = createUuidV7Generator({ now: () => readings.shift() ?? 6_000 });
    const ids = Array.from({ length: 6 }, () => generate());
    expect(firstOutOfOrder(ids)).toBe(-1);
    expect(uuidV7Timestamp(ids[2])).toBe(5_000);
    expect(uuidV7Timestamp(ids[4])).toBe(5_001);
  });

  it('rejects clocks outside the 48-bit range', () => {
    expect(() => createUuidV7Generator({ now: fixedClock(-1) })()).toThrow(RangeError);
    expect(() => createUuidV7Generator({ now: fixedClock(2 ** 48) })()).toThrow(RangeError);
    expect(() => createUuidV7Generator({ now: fixedClock(Number.NaN) })()).toThrow(RangeError);
  });

  it.each([
    ['a version 4 id', '9b2c1f0e-4a3d-4c8b-9e7f-1a2b3c4d5e6f'],
    ['an uppercase id', '017F22E2-79B0-7CC3-98C4-DC0C0C07398F'],
    ['the wrong variant', '017f22e2-79b0-7cc3-c8c4-dc0c0c07398f'],
    ['no dashes', '017f22e279b07cc398c4dc0c0c07398f'],
    ['an empty string', ''],
  ])('does not accept %s', (_, candidate) => {
    expect(isUuidV7(candidate)).toBe(false);
    expect(() => uuidV7Timestamp(candidate)).toThrow(TypeError);
  });

  it('does not accept non-strings', () => {
    expect(isUuidV7(42)).toBe(false);
    expect(isUuidV7(null)).toBe(false);
  });
});

describe('uuidV7Floor', () => {
  it('sorts after every id of earlier milliseconds and at or before every id of its own and later ones', () => {
    const ms = 1_767_225_600_123;
    const floor = uuidV7Floor(ms);
    expect(isUuidV7(floor)).toBe(true);
    expect(uuidV7Timestamp(floor)).toBe(ms);
    for (const [clock, after] of [
      [ms - 1, false],
      [ms - 86_400_000, false],
      [ms, true],
      [ms + 1, true],
    ] as const) {
      // Random bits both at their lowest and highest: the bound holds whatever they are.
      for (const fill of [0x00, 0xff]) {
        const id = createUuidV7Generator({ now: fixedClock(clock), fillRandom: (bytes) => bytes.fill(fill) })();
        expect({ clock, fill, atOrAfterFloor: floor <= id }).toEqual({ clock, fill, atOrAfterFloor: after });
      }
    }
  });

  it('rejects times a UUIDv7 cannot hold', () => {
    for (const ms of [-1, 2 ** 48, 1.5, Number.NaN]) expect(() => uuidV7Floor(ms)).toThrow(RangeError);
  });
});

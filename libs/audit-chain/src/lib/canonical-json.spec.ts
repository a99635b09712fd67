import fc from 'fast-check';
import { canonicalJson } from './canonical-json';

/** Rebuilds an object with its keys in another (reversed) insertion order, recursively. */
function reorderKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reorderKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).reverse().map((key) => [key, reorderKeys((value as Record<string, unknown>)[key])]));
  }
  return value;
}

describe('canonicalJson', () => {
  it('sorts keys, writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1.5, y: -2 } })).toBe('{"a":[true,null,"x"],"b":1,"c":{"y":-2,"z":1.5}}');
    expect(canonicalJson('é\u2028"\n')).toBe(JSON.stringify('é\u2028"\n'));
    expect(canonicalJson({ b: undefined, a: 1 })).toBe('{"a":1}');
    expect(canonicalJson({ '\u00e9': 1, z: 2, Z: 3, 10: 4, 9: 5 })).toBe('{"10":4,"9":5,"Z":3,"z":2,"é":1}');
  });

  it('refuses what is not JSON', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/non-finite/);
    expect(() => canonicalJson({ a: Infinity })).toThrow(/non-finite/);
    expect(() => canonicalJson({ a: 1n })).toThrow(/bigint/);
    expect(() => canonicalJson({ a: () => 1 })).toThrow(/function/);
  });

  it('says where the value that is not JSON sits, each time afresh', () => {
    expect(() => canonicalJson({ a: [1, { c: 2, b: Number.NaN }] })).toThrow('non-finite number at /a/1/b');
    expect(() => canonicalJson([Symbol('s')])).toThrow('symbol is not a JSON value at /0');
    expect(() => canonicalJson(Infinity)).toThrow('non-finite number at /');
    expect(canonicalJson({ after: 'an error' })).toBe('{"after":"an error"}');
  });

  it('sorts objects with many keys as the built-in sort does', () => {
    for (const count of [31, 32, 33, 200]) {
      const keys = Array.from({ length: count }, (_, i) => `k${(i * 7919) % count}${i % 3 === 0 ? 'é' : ''}`);
      const text = canonicalJson(Object.fromEntries(keys.map((key) => [key, key])));
      expect(text).toBe(`{${[...keys].sort().map((key) => `"${key}":"${key}"`).join(',')}}`);
    }
  });

  it('round-trips: parsing the text gives the value back', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)))));
  });

  it('does not depend on key insertion order', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => canonicalJson(reorderKeys(value)) === canonicalJson(value)));
  });

  it('is a fixed point: canonical text of the parsed canonical text is itself', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      const text = canonicalJson(value);
      return canonicalJson(JSON.parse(text)) === text && !/[\n\t]|": |, /.test(text.replace(/"(?:[^"\\]|\\.)*"/g, '""'));
    }));
  });
});

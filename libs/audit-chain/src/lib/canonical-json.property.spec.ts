import fc from 'fast-check';
import { canonicalJson } from './canonical-json';

// Property tests for issue 9 ("bad input") on the canonical JSON the audit chain hashes: the same
// value always gives the same text, whatever order its keys were inserted in, and the text
// parses back to the value. Examples: canonical-json.spec.ts.

/** Keys that trip up naive implementations: prototype names, integer-like keys, surrogates. */
const awkwardKey = fc.constantFrom(
  '__proto__', 'constructor', 'toJSON', 'hasOwnProperty', '', ' ', '0', '1', '9', '10', '-1', '1e3', '01', '4294967295', '4294967296',
  'a', 'A', 'b', 'é', 'e\u0301', '\u00ff', '\uffff', '😀', '\ud800', '\udc00', '"', '\\', '\n', '\u2028', 'ｂ',
);
const key = fc.oneof(awkwardKey, fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 4 }));
const leaf = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(0, -0, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, Number.MAX_SAFE_INTEGER + 2, 0.1 + 0.2),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: fc.integer({ min: 0xd7f0, max: 0xe010 }).map((code) => String.fromCharCode(code)), maxLength: 6 }),
);
/** JSON values with awkward keys, built with `Object.fromEntries` so `__proto__` stays an own key. */
const { json } = fc.letrec<{ json: unknown; object: Record<string, unknown>; array: unknown[] }>((tie) => ({
  json: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('object'), tie('array')),
  object: fc.uniqueArray(fc.tuple(key, tie('json')), { maxLength: 6, selector: ([k]) => k }).map((entries) => Object.fromEntries(entries)),
  array: fc.array(tie('json'), { maxLength: 5 }),
}));
const anyJson = fc.oneof(json, fc.jsonValue());

/** The value with every object's keys re-inserted in an order given by `order`, recursively. */
function reinserted(value: unknown, order: (keys: string[]) => string[]): unknown {
  if (Array.isArray(value)) return value.map((item) => reinserted(item, order));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(order(Object.keys(record)).map((k) => [k, reinserted(record[k], order)]));
}

/** What JSON itself makes of a value (`-0` becomes `0`). */
const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('canonicalJson (properties)', () => {
  it('never throws on a JSON value, and writes valid JSON', () => {
    fc.assert(
      fc.property(anyJson, (value) => {
        JSON.parse(canonicalJson(value));
      }),
      { numRuns: 1000 },
    );
  });

  it('does not depend on the order keys were inserted in', () => {
    fc.assert(
      fc.property(anyJson, fc.integer(), (value, seed) => {
        // A different, seeded shuffle at every object.
        let state = seed >>> 0;
        const shuffle = (keys: string[]) => {
          const copy = [...keys];
          for (let i = copy.length - 1; i > 0; i--) {
            state = (Math.imul(state, 1103515245) + 12345) >>> 0;
            const j = state % (i + 1);
            [copy[i], copy[j]] = [copy[j], copy[i]];
          }
          return copy;
        };
        const text = canonicalJson(value);
        return canonicalJson(reinserted(value, shuffle)) === text && canonicalJson(reinserted(value, (keys) => [...keys].reverse())) === text;
      }),
      { numRuns: 1000 },
    );
  });

  it('round-trips: parsing the canonical text gives the value back', () => {
    fc.assert(
      fc.property(anyJson, (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(viaJson(value));
      }),
      { numRuns: 1000 },
    );
  });

  it('is a fixed point: the canonical text of the parsed canonical text is itself', () => {
    fc.assert(
      fc.property(anyJson, (value) => {
        const text = canonicalJson(value);
        return canonicalJson(JSON.parse(text)) === text;
      }),
      { numRuns: 1000 },
    );
  });

  it('writes the same tokens as JSON.stringify, only reordered (no whitespace, same escapes)', () => {
    fc.assert(
      fc.property(anyJson, (value) => canonicalJson(value).length === JSON.stringify(value).length),
      { numRuns: 1000 },
    );
  });

  it('gives different texts to different values: equal text exactly when equal JSON', () => {
    fc.assert(
      // Pairs of unrelated values, and of values with one leaf changed.
      fc.property(anyJson, fc.oneof(anyJson, leaf), fc.boolean(), (a, other, related) => {
        const b = related && a !== null && typeof a === 'object' && Object.keys(a).length > 0 ? { ...(a as object), [Object.keys(a)[0]]: other } : other;
        const sameText = canonicalJson(a) === canonicalJson(b);
        const sameValue = isDeepStrictEqualJson(viaJson(a), viaJson(b));
        return sameText === sameValue;
      }),
      { numRuns: 1000 },
    );
  });

  it('sorts keys by UTF-16 code units at every depth', () => {
    fc.assert(
      fc.property(fc.uniqueArray(key, { maxLength: 8 }), (keys) => {
        const object = Object.fromEntries(keys.map((k, i) => [k, { [k]: i }]));
        const expected = `{${[...keys]
          .sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))
          .map((k) => `${JSON.stringify(k)}:{${JSON.stringify(k)}:${keys.indexOf(k)}}`)
          .join(',')}}`;
        return canonicalJson(object) === expected;
      }),
      { numRuns: 1000 },
    );
    // A surrogate pair (U+1F600) sorts before U+FFFF in UTF-16 order, after it in code point order.
    expect(canonicalJson({ '\uffff': 1, '😀': 2 })).toBe('{"😀":2,"\uffff":1}');
  });

  it('refuses what has no JSON form instead of dropping or nulling it, wherever it is', () => {
    const bad = fc.constantFrom<unknown>(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1n, () => 1, Symbol('s'));
    fc.assert(
      fc.property(json, bad, fc.array(key, { minLength: 1, maxLength: 3 }), (value, poison, path) => {
        const nested = path.reduceRight<unknown>((inner, k) => Object.fromEntries([[k, inner]]), [value, poison]);
        expect(() => canonicalJson(nested)).toThrow(TypeError);
      }),
      { numRuns: 300 },
    );
  });
});

/** Deep equality of two parsed JSON values (objects compared as key sets). */
function isDeepStrictEqualJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((k) => Object.prototype.hasOwnProperty.call(b, k) && isDeepStrictEqualJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

import { encodeSegment, mustBeRefused } from './fuzz-cases';
import { exampleOf, fieldsOf, isValid, REMOVE, withField, type JsonSchema } from './json-schema';

const options = { nulIsInvalid: true };

const notice: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['locations', 'category', 'goodFaith'],
  properties: {
    locations: {
      type: 'array',
      minItems: 1,
      maxItems: 3,
      items: { type: 'object', additionalProperties: false, required: ['platformId'], properties: { platformId: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' } } },
    },
    category: { anyOf: [{ const: 'pimping', type: 'string' }, { const: 'minors', type: 'string' }] },
    explanation: { type: 'string', minLength: 10, maxLength: 50 },
    quality: { type: 'integer', minimum: 0, maximum: 100 },
    reference: { anyOf: [{ type: 'string', maxLength: 5 }, { type: 'null' }] },
    goodFaith: { type: 'boolean' },
  },
};

describe('the fuzz JSON Schema subset', () => {
  it('builds a valid example with every property and walks its fields', () => {
    const example = exampleOf(notice, options) as Record<string, unknown>;
    expect(isValid(notice, example, options)).toBe(true);
    expect(Object.keys(example).sort()).toEqual(['category', 'explanation', 'goodFaith', 'locations', 'quality', 'reference'].sort());
    const pointers = fieldsOf(notice, example, options).map((field) => field.pointer.join('/'));
    expect(pointers).toEqual(expect.arrayContaining(['locations', 'locations/0', 'locations/0/platformId', 'category', 'quality', 'goodFaith']));
  });

  it('refuses wrong types, missing and unknown fields, limits, patterns and NUL', () => {
    const example = exampleOf(notice, options);
    const broken = [
      withField(example, ['goodFaith'], 'yes'),
      withField(example, ['category'], REMOVE),
      withField(example, ['fuzzExtra'], 1),
      withField(example, ['explanation'], 'x'.repeat(51)),
      withField(example, ['quality'], 1.5),
      withField(example, ['quality'], 101),
      withField(example, ['locations'], []),
      withField(example, ['locations', 0, 'platformId'], "' OR 1=1--"),
      withField(example, ['explanation'], 'valid text\u0000 with a NUL'),
    ];
    for (const value of broken) expect(isValid(notice, value, options)).toBe(false);
    expect(isValid(notice, withField(example, ['reference'], null), options)).toBe(true);
    expect(isValid(notice, withField(example, ['explanation'], 'valid text\u0000 with a NUL'), { nulIsInvalid: false })).toBe(true);
  });

  it('counts an array body as refused only when every item is invalid', () => {
    const batch: JsonSchema = { type: 'array', maxItems: 2, items: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } };
    expect(mustBeRefused(batch, options, [{ id: 'a' }, { id: 1 }])).toBe(false);
    expect(mustBeRefused(batch, options, [{ id: 2 }, { id: 1 }])).toBe(true);
    expect(mustBeRefused(batch, options, [{ id: 'a' }, { id: 'b' }, { id: 'c' }])).toBe(true);
    expect(mustBeRefused(batch, options, { id: 'a' })).toBe(true);
  });

  it('percent-encodes lone surrogates as their (invalid) UTF-8 bytes', () => {
    expect(encodeSegment('a b')).toBe('a%20b');
    expect(encodeSegment('\uD800')).toBe('%ED%A0%80');
    expect(encodeSegment('😀')).toBe(encodeURIComponent('😀'));
  });
});

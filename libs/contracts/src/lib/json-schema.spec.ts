import { EVENT_DEFINITIONS } from './registry';
import { JSON_SCHEMA_DRAFT_07, jsonSchemaFor } from './json-schema';

const ENVELOPE_FIELDS = [
  'id',
  'type',
  'version',
  'occurredAt',
  'tenant',
  'subject',
  'correlationId',
  'causationId',
  'source',
  'data',
];

describe('jsonSchemaFor', () => {
  it.each(EVENT_DEFINITIONS.map((definition) => [definition.type, definition] as const))(
    'describes the whole %s envelope as plain draft-07 JSON Schema',
    (_, definition) => {
      const schema = jsonSchemaFor(definition.type, definition.version);
      expect(schema['$schema']).toBe(JSON_SCHEMA_DRAFT_07);
      expect(schema['$id']).toBe(`urn:vigie:event:${definition.type}:v${definition.version}`);
      expect(schema['type']).toBe('object');
      expect(schema['additionalProperties']).toBe(false);
      expect([...(schema['required'] as string[])].sort()).toEqual([...ENVELOPE_FIELDS].sort());
      const properties = schema['properties'] as Record<string, Record<string, unknown>>;
      expect(properties['type']).toMatchObject({ const: definition.type });
      expect(properties['version']).toMatchObject({ const: definition.version });
      expect(properties['data']).toMatchObject({ type: 'object', additionalProperties: false });
      expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
    },
  );

  it('carries no TypeBox symbols and shares nothing with the registry', () => {
    const schema = jsonSchemaFor('ad.submitted', 1);
    const data = (schema['properties'] as Record<string, object>)['data'];
    expect(Object.getOwnPropertySymbols(data)).toEqual([]);
    (data as Record<string, unknown>)['additionalProperties'] = true;
    expect(jsonSchemaFor('ad.submitted', 1)['properties']).toMatchObject({ data: { additionalProperties: false } });
  });

  it('uses only draft-07 keywords', () => {
    const draft07Keywords = new Set([
      '$schema', '$id', 'title', 'description', 'type', 'properties', 'required', 'additionalProperties',
      'items', 'minItems', 'maxItems', 'uniqueItems', 'anyOf', 'const', 'pattern', 'minLength', 'maxLength',
      'minimum', 'maximum',
    ]);
    const used = new Set<string>();
    const collect = (node: unknown, parentKey: string): void => {
      if (Array.isArray(node)) {
        node.forEach((child) => collect(child, parentKey));
      } else if (node !== null && typeof node === 'object') {
        for (const [key, child] of Object.entries(node)) {
          if (parentKey !== 'properties') {
            used.add(key);
          }
          collect(child, key);
        }
      }
    };
    for (const definition of EVENT_DEFINITIONS) {
      collect(jsonSchemaFor(definition.type, definition.version), '');
    }
    expect([...used].filter((keyword) => !draft07Keywords.has(keyword))).toEqual([]);
  });

  it('refuses unknown events', () => {
    expect(() => jsonSchemaFor('ad.sold', 1)).toThrow(RangeError);
  });
});

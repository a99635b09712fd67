import fc from 'fast-check';
import {
  ContractViolationError,
  EVENT_DEFINITIONS,
  createEvent,
  decodeEvent,
  encodeEvent,
  validateEvent,
  validateEventData,
  type AnyEventDefinition,
  type EventType,
  type ValidationResult,
} from './registry';
import { AD_ID_PATTERN, PLATFORM_ID_PATTERN, SOURCE_PATTERN, SUBJECT_PATTERN } from './schema/patterns';
import { subjectFor, tenantSubject } from './topics';
import { isUuidV7, uuidv7 } from './uuidv7';
import { MAX_REPORTED_ERRORS } from './validation-errors';

// Property tests for issue 9 ("bad input"): the validator is total over anything a broker or
// an HTTP client can hand it, and the library's own constructors only build valid events.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Every failure is a non-empty, bounded list of `{ path: JSON Pointer, message }`. Plain checks
 * rather than `expect` calls: they run hundreds of thousands of times.
 */
function expectStructuredFailure(result: ValidationResult | { ok: boolean; errors?: unknown }): void {
  const fail = (why: string) => {
    throw new Error(`${why}: ${JSON.stringify(result)}`);
  };
  if (result.ok !== false) fail('expected a failure');
  const errors = (result as { errors: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0 || errors.length > MAX_REPORTED_ERRORS) fail('expected 1 to MAX_REPORTED_ERRORS errors');
  for (const error of errors as Record<string, unknown>[]) {
    const keys = Object.keys(error).sort().join();
    const { path, message } = error;
    if (keys !== 'message,path') fail(`error with keys ${keys}`);
    if (typeof path !== 'string' || (path !== '' && !path.startsWith('/'))) fail('error path is not a JSON Pointer');
    if (typeof message !== 'string' || message.length === 0) fail('error without a message');
  }
}

const anyValue = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  withUnicodeString: true,
});

const platformId = fc.stringMatching(new RegExp(PLATFORM_ID_PATTERN));
// The pattern's `(?!\*$)` lookahead is beyond fast-check: printable ASCII without ':' and not '*' alone.
const adId = fc
  .string({ unit: fc.integer({ min: 0x21, max: 0x7e }).filter((code) => code !== 0x3a).map((code) => String.fromCharCode(code)), minLength: 1, maxLength: 200 })
  .filter((id) => new RegExp(AD_ID_PATTERN).test(id));
const source = fc.stringMatching(new RegExp(SOURCE_PATTERN)).filter((id) => id.length <= 100);

/** The example of a definition, as plain JSON. */
const exampleOf = (definition: AnyEventDefinition): { [key: string]: Json } => JSON.parse(JSON.stringify(definition.example));

/** A copy of `value` with `replacement` at the JSON Pointer `pointer` (removed when `undefined`). */
function editedAt(value: Json, pointer: string, replacement: Json | undefined): Json {
  const copy = structuredClone(value);
  const keys = pointer.split('/').slice(1);
  const last = keys.pop() as string;
  let parent = copy as Record<string, Json> | Json[];
  for (const key of keys) parent = (parent as Record<string, Json>)[key] as Record<string, Json>;
  if (replacement === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else {
    (parent as Record<string, Json>)[last] = replacement;
  }
  return copy;
}

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  const?: unknown;
  additionalProperties?: boolean;
}

/** The object variants of a schema that `value` can be an instance of (by its keys). */
function objectVariants(schema: SchemaNode, value: Record<string, Json>): SchemaNode[] {
  if (schema.anyOf) return schema.anyOf.flatMap((variant) => objectVariants(variant, value));
  if (schema.type !== 'object' || !schema.properties) return [];
  const properties = schema.properties;
  const fits =
    (schema.required ?? []).every((key) => key in value) &&
    Object.keys(value).every((key) => key in properties) &&
    Object.entries(properties).every(([key, sub]) => sub.const === undefined || value[key] === sub.const);
  return fits ? [schema] : [];
}

/** JSON Pointers of every required property present in `value`, at any depth, per `schema`. */
function requiredPaths(schema: SchemaNode, value: Json, pointer = ''): string[] {
  if (Array.isArray(value)) {
    const items = schema.items ?? schema.anyOf?.find((variant) => variant.type === 'array')?.items;
    return items ? value.flatMap((item, index) => requiredPaths(items, item, `${pointer}/${index}`)) : [];
  }
  if (value === null || typeof value !== 'object') return [];
  const paths: string[] = [];
  for (const variant of objectVariants(schema, value)) {
    for (const key of variant.required ?? []) paths.push(`${pointer}/${key}`);
    for (const [key, sub] of Object.entries(variant.properties ?? {})) {
      if (key in value) paths.push(...requiredPaths(sub, value[key], `${pointer}/${key}`));
    }
  }
  return [...new Set(paths)];
}

/** [definition, pointer] for every required field of every example, envelope included. */
const requiredFields: [AnyEventDefinition, string][] = EVENT_DEFINITIONS.flatMap((definition) => {
  const example = exampleOf(definition);
  const envelope = ['id', 'type', 'version', 'occurredAt', 'tenant', 'subject', 'correlationId', 'causationId', 'source', 'data'].map((key) => `/${key}`);
  const data = requiredPaths(definition.dataSchema as unknown as SchemaNode, example['data']).map((path) => `/data${path}`);
  return [...envelope, ...data].map((path): [AnyEventDefinition, string] => [definition, path]);
});

/** Pointers of every closed object (additionalProperties: false) in an example. */
function closedObjectPaths(schema: SchemaNode, value: Json, pointer = ''): string[] {
  if (Array.isArray(value)) {
    const items = schema.items ?? schema.anyOf?.find((variant) => variant.type === 'array')?.items;
    return items ? value.flatMap((item, index) => closedObjectPaths(items, item, `${pointer}/${index}`)) : [];
  }
  if (value === null || typeof value !== 'object') return [];
  const paths: string[] = [];
  for (const variant of objectVariants(schema, value)) {
    if (variant.additionalProperties === false) paths.push(pointer);
    for (const [key, sub] of Object.entries(variant.properties ?? {})) {
      if (key in value) paths.push(...closedObjectPaths(sub, value[key], `${pointer}/${key}`));
    }
  }
  return [...new Set(paths)];
}

describe('validateEvent (properties)', () => {
  it('never throws on any JSON value, and fails with structured errors', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expectStructuredFailure(validateEvent(value));
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on anything at all (maps, bigints, sparse arrays, null prototypes…)', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        expectStructuredFailure(validateEvent(value));
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws when any part of a valid event is replaced by anything', () => {
    const pointers = EVENT_DEFINITIONS.flatMap((definition) => {
      const example = exampleOf(definition);
      const all: string[] = [];
      const walk = (node: Json, pointer: string) => {
        if (pointer !== '') all.push(pointer);
        if (node !== null && typeof node === 'object') {
          for (const [key, child] of Object.entries(node)) walk(child, `${pointer}/${key}`);
        }
      };
      walk(example, '');
      return all.map((pointer) => [definition, pointer] as const);
    });
    fc.assert(
      fc.property(fc.constantFrom(...pointers), fc.oneof(fc.jsonValue(), anyValue), ([definition, pointer], replacement) => {
        const edited = editedAt(exampleOf(definition), pointer, null) as Record<string, unknown>;
        // Set through the parent so non-JSON replacements (undefined, maps…) land as they are.
        const keys = pointer.split('/').slice(1);
        const last = keys.pop() as string;
        let parent = edited as Record<string, unknown>;
        for (const key of keys) parent = parent[key] as Record<string, unknown>;
        parent[last] = replacement;
        const result = validateEvent(edited);
        if (!result.ok) expectStructuredFailure(result);
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects every example once any one of its required fields is missing, naming that field', () => {
    expect(requiredFields.length).toBeGreaterThan(EVENT_DEFINITIONS.length * 10);
    fc.assert(
      fc.property(fc.constantFrom(...requiredFields), ([definition, pointer]) => {
        const result = validateEvent(editedAt(exampleOf(definition), pointer, undefined));
        expectStructuredFailure(result);
        if (!result.ok) {
          const named = result.errors.some((error) => error.path === pointer || (pointer.startsWith(`${error.path}/`) && error.path !== ''));
          if (!named) throw new Error(`${definition.type}: removing ${pointer} gave ${JSON.stringify(result.errors)}`);
        }
      }),
      { numRuns: Math.min(2000, requiredFields.length * 3) },
    );
  });

  it('rejects every required field of every example when missing (exhaustively)', () => {
    const accepted = requiredFields.filter(([definition, pointer]) => validateEvent(editedAt(exampleOf(definition), pointer, undefined)).ok);
    expect(accepted.map(([definition, pointer]) => `${definition.type}${pointer}`)).toEqual([]);
  });

  it('rejects an unknown property in any closed object of any example', () => {
    const closed = EVENT_DEFINITIONS.flatMap((definition) => {
      const example = exampleOf(definition);
      const data = closedObjectPaths(definition.dataSchema as unknown as SchemaNode, example['data']).map((path) => `/data${path}`);
      return ['', ...data].map((pointer) => [definition, pointer] as const);
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...closed),
        fc.string({ minLength: 1, maxLength: 20 }).filter((key) => !['__proto__', 'constructor'].includes(key)),
        fc.jsonValue(),
        ([definition, pointer], key, value) => {
          const example = exampleOf(definition);
          const target = pointer.split('/').slice(1).reduce<Json>((node, k) => (node as Record<string, Json>)[k], example);
          fc.pre(target !== null && typeof target === 'object' && !Array.isArray(target) && !(key in target));
          (target as Record<string, Json>)[key] = value as Json;
          expectStructuredFailure(validateEvent(example));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('rejects a subject that belongs to another tenant', () => {
    fc.assert(
      fc.property(fc.constantFrom(...EVENT_DEFINITIONS), platformId, adId, (definition, other, id) => {
        const example = exampleOf(definition);
        fc.pre(other !== example['tenant']);
        example['subject'] = `${other}:${id}`;
        expectStructuredFailure(validateEvent(example));
      }),
      { numRuns: 300 },
    );
  });
});

describe('decodeEvent (properties)', () => {
  it('never throws on any bytes or text, and fails with structured errors', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)), fc.string({ unit: 'binary', maxLength: 300 })), (message) => {
        const result = decodeEvent(message);
        if (!result.ok) expectStructuredFailure(result);
      }),
      { numRuns: 1000 },
    );
    expectStructuredFailure(decodeEvent(null));
  });

  it('never throws on JSON text of any value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => expectStructuredFailure(decodeEvent(Buffer.from(JSON.stringify(value), 'utf8')))),
      { numRuns: 500 },
    );
  });

  it('decodes every encoded example back to itself', () => {
    fc.assert(
      fc.property(fc.constantFrom(...EVENT_DEFINITIONS), (definition) => {
        const result = decodeEvent(encodeEvent(definition.example));
        expect(result).toEqual({ ok: true, event: JSON.parse(JSON.stringify(definition.example)) });
      }),
      { numRuns: 100 },
    );
  });
});

describe('validateEventData (properties)', () => {
  it('never throws for any type name, version and value', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...EVENT_DEFINITIONS.map((definition) => definition.type)), fc.string()),
        fc.oneof(fc.constant(1), fc.integer(), fc.double()),
        fc.oneof(fc.jsonValue(), anyValue),
        (type, version, value) => {
          const result = validateEventData(type as EventType, value, version);
          if (!result.ok) expectStructuredFailure(result);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('createEvent (properties)', () => {
  const occurredAt = fc.date({ min: new Date('1970-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true });

  it('builds events that validate, for any tenant, ad, source, time and ids', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...EVENT_DEFINITIONS),
        platformId,
        fc.oneof(adId, fc.constant('*')),
        source,
        occurredAt,
        fc.option(fc.string({ minLength: 1, maxLength: 100 }), { nil: null }),
        fc.boolean(),
        (definition, tenant, ad, emitter, time, correlationId, withCausation) => {
          const subject = ad === '*' ? tenantSubject(tenant) : subjectFor(tenant, ad);
          const event = createEvent(definition.type as EventType, {
            tenant,
            subject,
            source: emitter,
            occurredAt: time,
            correlationId,
            causationId: withCausation ? uuidv7() : null,
            data: structuredClone(definition.example.data) as never,
          });
          expect(validateEvent(event)).toEqual({ ok: true, event });
          expect(isUuidV7(event.id)).toBe(true);
          expect(event.subject).toMatch(new RegExp(SUBJECT_PATTERN));
          // What a consumer decodes is what the producer built.
          expect(decodeEvent(encodeEvent(event))).toEqual({ ok: true, event: JSON.parse(JSON.stringify(event)) });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('either builds a valid event or throws a ContractViolationError, whatever it is given', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...EVENT_DEFINITIONS),
        fc.oneof(platformId, fc.string({ maxLength: 70 })),
        fc.oneof(adId, fc.string({ maxLength: 30 })),
        fc.oneof(source, fc.string({ maxLength: 30 })),
        fc.oneof(fc.date(), fc.string({ maxLength: 30 })),
        fc.oneof(fc.constant<unknown>(undefined), fc.jsonValue()),
        (definition, tenant, ad, emitter, time, data) => {
          let event: unknown;
          try {
            event = createEvent(definition.type as EventType, {
              tenant,
              subject: `${tenant}:${ad}`,
              source: emitter,
              occurredAt: time,
              data: (data === undefined ? structuredClone(definition.example.data) : data) as never,
            });
          } catch (error) {
            expect(error).toBeInstanceOf(ContractViolationError);
            expect((error as ContractViolationError).errors.length).toBeGreaterThan(0);
            return;
          }
          expect(validateEvent(event).ok).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

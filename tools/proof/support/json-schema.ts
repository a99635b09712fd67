/**
 * Just enough JSON Schema for the HTTP fuzz: the subset the services document their request
 * bodies with (TypeBox output in OpenAPI): a validator that says whether a mutated body is
 * still acceptable, a generator of one valid example, and a walk over every field.
 */

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  $ref?: string;
}

export interface ValidationOptions {
  /**
   * U+0000 can be stored in no PostgreSQL text or jsonb value, so a string carrying it is bad
   * input wherever it is not explicitly normalised away (ad content is: ingest strips controls).
   */
  readonly nulIsInvalid: boolean;
  /** Resolves `#/components/schemas/X` references of the OpenAPI document. */
  readonly resolve?: (ref: string) => JsonSchema;
}

const deref = (schema: JsonSchema, options: ValidationOptions): JsonSchema =>
  schema.$ref && options.resolve ? deref(options.resolve(schema.$ref), options) : schema;

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'object':
      return jsonType(value) === 'object';
    default:
      return jsonType(value) === type;
  }
}

const canonical = (value: unknown): string => JSON.stringify(value, (_key, inner) =>
  inner && typeof inner === 'object' && !Array.isArray(inner) ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b))) : inner,
);

/** JSON equality; primitives compared directly (a deeply nested value never equals one). */
function sameJson(allowed: unknown, value: unknown): boolean {
  if (allowed === null || typeof allowed !== 'object') return allowed === value;
  return canonical(allowed) === canonical(value);
}

/** Whether `value` satisfies `schema` (formats: only `uri`). */
export function isValid(schema: JsonSchema, value: unknown, options: ValidationOptions): boolean {
  const s = deref(schema, options);
  if (options.nulIsInvalid && typeof value === 'string' && value.includes('\u0000')) return false;
  if (s.anyOf && !s.anyOf.some((branch) => isValid(branch, value, options))) return false;
  if (s.oneOf && s.oneOf.filter((branch) => isValid(branch, value, options)).length !== 1) return false;
  if (s.allOf && !s.allOf.every((branch) => isValid(branch, value, options))) return false;
  if (s.const !== undefined && !sameJson(s.const, value)) return false;
  if (s.enum && !s.enum.some((allowed) => sameJson(allowed, value))) return false;
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    if (!types.some((type) => typeMatches(type, value))) return false;
  }
  if (typeof value === 'string') {
    if (s.minLength !== undefined && value.length < s.minLength) return false;
    if (s.maxLength !== undefined && value.length > s.maxLength) return false;
    if (s.pattern !== undefined && !new RegExp(s.pattern).test(value)) return false;
    if (s.format === 'uri' && !URL.canParse(value)) return false;
  }
  if (typeof value === 'number') {
    if (s.minimum !== undefined && value < s.minimum) return false;
    if (s.maximum !== undefined && value > s.maximum) return false;
    if (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum) return false;
    if (s.exclusiveMaximum !== undefined && value >= s.exclusiveMaximum) return false;
  }
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) return false;
    if (s.maxItems !== undefined && value.length > s.maxItems) return false;
    if (s.items && !value.every((item) => isValid(s.items as JsonSchema, item, options))) return false;
    if (s.uniqueItems && new Set(value.map(canonical)).size !== value.length) return false;
  }
  if (jsonType(value) === 'object') {
    const record = value as Record<string, unknown>;
    if (s.required?.some((name) => !Object.prototype.hasOwnProperty.call(record, name))) return false;
    for (const [name, inner] of Object.entries(record)) {
      const declared = s.properties?.[name];
      if (declared) {
        if (!isValid(declared, inner, options)) return false;
      } else if (s.additionalProperties === false) {
        return false;
      } else if (typeof s.additionalProperties === 'object' && !isValid(s.additionalProperties, inner, options)) {
        return false;
      }
    }
  }
  return true;
}

/**
 * Candidate values for strings with a pattern, tried in order; field-name overrides come
 * first. A documented pattern none of them satisfies fails the fuzz loudly (add one here).
 */
const PATTERN_CANDIDATES = [
  'fuzz-platform',
  'fuzz-ad-0001',
  '0190f5a0-8b2c-7d3e-9f40-123456789abc',
  '2026-01-01T00:00:00.000Z',
  '2026-01-01',
  'a'.repeat(64),
  'f'.repeat(32),
  'fuzz@example.org',
  'https://example.org/ads/1',
  '+33612345678',
  'FR',
  'fr',
  'EUR',
  'mod-017',
  '2026.11.1',
];

export interface ExampleOptions extends ValidationOptions {
  /** Preferred values by property name (used when valid for that property). */
  readonly byName?: Readonly<Record<string, unknown>>;
}

/** One valid value for `schema`, with every optional property present; throws when it cannot make one. */
export function exampleOf(schema: JsonSchema, options: ExampleOptions, name = ''): unknown {
  const s = deref(schema, options);
  const preferred = options.byName?.[name];
  if (preferred !== undefined && isValid(s, preferred, options)) return preferred;
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  const branches = s.anyOf ?? s.oneOf;
  if (branches) {
    // Prefer a branch that is not `null`, so the example exercises the field.
    const ordered = [...branches].sort((a, b) => Number(deref(a, options).type === 'null') - Number(deref(b, options).type === 'null'));
    for (const branch of ordered) {
      const value = exampleOf(branch, options, name);
      if (isValid(s, value, options)) return value;
    }
  }
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') ?? s.type[0] : s.type ?? (s.properties ? 'object' : undefined);
  let value: unknown;
  switch (type) {
    case 'object': {
      const record: Record<string, unknown> = {};
      for (const [property, inner] of Object.entries(s.properties ?? {})) {
        const example = exampleOf(inner, options, property);
        record[property] = example;
        if (!isValid(inner, example, options) && !(s.required ?? []).includes(property)) delete record[property];
      }
      value = record;
      break;
    }
    case 'array': {
      const count = Math.max(1, s.minItems ?? 0);
      const items = s.items ? deref(s.items, options) : {};
      const choices = items.anyOf?.filter((branch) => branch.const !== undefined).map((branch) => branch.const);
      value = Array.from({ length: count }, (_, index) =>
        s.uniqueItems && choices && choices.length > index ? choices[index] : exampleOf(items, options, name),
      );
      break;
    }
    case 'string': {
      if (s.pattern !== undefined || s.format === 'uri') {
        value = PATTERN_CANDIDATES.find((candidate) => isValid(s, candidate, options));
      } else {
        const text = 'Texte de base du fuzz, valide et sans surprise. ';
        const length = Math.min(s.maxLength ?? 48, Math.max(s.minLength ?? 0, 24));
        value = text.repeat(Math.ceil(length / text.length) + 1).slice(0, length);
      }
      break;
    }
    case 'integer':
    case 'number':
      value = Math.min(s.maximum ?? Number.MAX_SAFE_INTEGER, Math.max(s.minimum ?? 0, 1));
      break;
    case 'boolean':
      value = true;
      break;
    case 'null':
      value = null;
      break;
    default:
      value = 'x';
  }
  if (!isValid(s, value, options)) {
    throw new Error(`cannot build a valid example for ${name || 'the body'}: ${JSON.stringify(s).slice(0, 300)}`);
  }
  return value;
}

/** A field of a body: its JSON pointer (array items as index 0), schema and whether its object requires it. */
export interface SchemaField {
  readonly pointer: (string | number)[];
  readonly schema: JsonSchema;
  readonly required: boolean;
}

/** Every field reachable in `example` (objects' declared properties, arrays' first item), depth first. */
export function fieldsOf(schema: JsonSchema, example: unknown, options: ValidationOptions, pointer: (string | number)[] = []): SchemaField[] {
  const s = deref(schema, options);
  const fields: SchemaField[] = [];
  const branch = (s.anyOf ?? s.oneOf)?.find((candidate) => isValid(candidate, example, options));
  if (branch) return fieldsOf(branch, example, options, pointer);
  if (jsonType(example) === 'object' && s.properties) {
    for (const [name, inner] of Object.entries(s.properties)) {
      const child = (example as Record<string, unknown>)[name];
      fields.push({ pointer: [...pointer, name], schema: deref(inner, options), required: (s.required ?? []).includes(name) });
      if (child !== undefined) fields.push(...fieldsOf(inner, child, options, [...pointer, name]));
    }
  } else if (Array.isArray(example) && s.items && example.length > 0) {
    fields.push({ pointer: [...pointer, 0], schema: deref(s.items, options), required: true });
    fields.push(...fieldsOf(s.items, example[0], options, [...pointer, 0]));
  }
  return fields;
}

/** A deep copy of `value` with the field at `pointer` replaced (or removed when `replacement` is `REMOVE`). */
export const REMOVE = Symbol('remove');

export function withField(value: unknown, pointer: readonly (string | number)[], replacement: unknown): unknown {
  if (pointer.length === 0) return replacement;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent = copy;
  for (const step of pointer.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
  const last = pointer[pointer.length - 1];
  if (replacement === REMOVE) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else {
    parent[last] = replacement;
  }
  return copy;
}

/** The value at `pointer` of `value`. */
export function fieldValue(value: unknown, pointer: readonly (string | number)[]): unknown {
  return pointer.reduce<unknown>((inner, step) => (inner as Record<string | number, unknown> | undefined)?.[step], value);
}

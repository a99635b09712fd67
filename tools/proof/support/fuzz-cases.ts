import fc from 'fast-check';
import { Random } from '../../eval/prng';
import { exampleOf, fieldsOf, fieldValue, isValid, REMOVE, withField, type JsonSchema, type ValidationOptions } from './json-schema';

/**
 * The malformed requests of the HTTP fuzz, derived from the services' OpenAPI documents:
 * every documented operation gets systematic mutations of its body fields, path parameters,
 * query filters and headers, then seeded random ones (fast-check samples) fill the total up.
 * Generation is deterministic: same documents and seed, same requests.
 */

export type ServiceName = 'ingest' | 'scoring' | 'nat' | 'audit';

export interface Operation {
  readonly service: ServiceName;
  readonly method: string;
  /** OpenAPI path template, e.g. `/cases/{caseId}`. */
  readonly path: string;
  readonly pathParams: string[];
  readonly queryParams: { name: string; schema: JsonSchema }[];
  readonly headerParams: string[];
  /** The documented JSON body, if any. */
  readonly jsonBody?: JsonSchema;
  /** Whether the document requires a key (bearer security). */
  readonly secured: boolean;
  /** `service METHOD /path`. */
  readonly id: string;
}

export interface OpenApiDocument {
  paths?: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}
interface OpenApiOperation {
  parameters?: { name: string; in: string; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  security?: unknown[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** The operations a service documents at `/docs/json`. */
export function operationsOf(service: ServiceName, document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const parameters = op.parameters ?? [];
      operations.push({
        service,
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        headerParams: parameters.filter((p) => p.in === 'header').map((p) => p.name.toLowerCase()),
        jsonBody: op.requestBody?.content?.['application/json']?.schema,
        secured: (op.security ?? []).length > 0,
        id: `${service} ${method.toUpperCase()} ${path}`,
      });
    }
  }
  return operations;
}

/** Resolves the document's `#/components/schemas/…` references. */
export function schemaResolver(document: OpenApiDocument): (ref: string) => JsonSchema {
  return (ref) => {
    const name = ref.replace('#/components/schemas/', '');
    const schema = document.components?.schemas?.[name];
    if (!schema) throw new Error(`unresolved $ref ${ref}`);
    return schema;
  };
}

export type BodySource = Buffer | Buffer[] | (() => Buffer | Buffer[]);

export type Auth = { kind: 'role' } | { kind: 'none' } | { kind: 'garbage'; headers: Record<string, string> };

export interface FuzzCase {
  readonly op: Operation;
  readonly method: string;
  /** Path and query as sent (already encoded, possibly deliberately badly). */
  readonly url: string;
  readonly headers: Record<string, string>;
  /** Whole body, chunks sent with `Transfer-Encoding: chunked`, or a large body built when sent. */
  readonly body?: BodySource;
  readonly auth: Auth;
  /** Whether a platform-bound key would be refused by the guard for this path (prefer an unbound role). */
  readonly foreignPlatform: boolean;
  /** What was mutated, for the report. */
  readonly label: string;
}

export interface FuzzContext {
  /** A registered platform: path parameters default to it so the handlers, not the guards, answer. */
  readonly platformId: string;
  readonly seed: number;
  /** Body limit of the services (bytes). */
  readonly bodyLimit: number;
  readonly resolve: (service: ServiceName) => (ref: string) => JsonSchema;
  /**
   * Operations that accept a valid body for any well-formed path id (e.g. a removal report for
   * an ad ingest never saw): their path mutations carry an invalid body too.
   */
  readonly acceptsUnknownIds: ReadonlySet<string>;
  /** Operations whose documented strings may carry control characters by design (ad content is normalised). */
  readonly controlCharactersAllowed: ReadonlySet<string>;
}

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

/** Injection and edge strings for path parameters, query filters and body fields. */
export const INJECTIONS: readonly string[] = [
  "' OR 1=1--",
  '" OR ""="',
  "'; DROP TABLE ingest.platforms; --",
  "1; SELECT pg_sleep(10)--",
  "') UNION SELECT key_hash FROM ingest.api_keys--",
  '%00',
  '\u0000',
  'ab\u0000cd',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '/etc/passwd%00.json',
  '${7*7}',
  '{{7*7}}',
  '#{7*7}',
  '<%= 7*7 %>',
  '${jndi:ldap://127.0.0.1/a}',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '\u202Eexe.txt',
  '\u200B\u200C\u200D\u2060\uFEFF',
  '\u2066abc\u2069\u200F',
  'e\u0301\u0301\u0301',
  '\uD800',
  '\uDFFF\uD800x',
  '😀'.repeat(40),
  'A'.repeat(5000),
  '9'.repeat(40),
  '-1',
  '0',
  '-0',
  '1e309',
  '-9223372036854775809',
  '18446744073709551616',
  'NaN',
  'Infinity',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '{"$gt":""}',
  '*',
  ':',
  'a:b',
  ' ',
  '',
  '\t\r\n',
  '\r\nX-Injected: 1',
  '%',
  '..',
  '\\',
  '0000-00-00',
  '2026-13-45T25:61:61.000Z',
  '2026-02-30T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '+275760-09-13T00:00:00.001Z',
  '9999-12-31T23:59:59.999999999Z',
  '1970-01-01',
  'yesterday',
  '00000000-0000-0000-0000-000000000000',
  '0190f5a0-8b2c-7d3e-9f40-123456789abc',
  'ffffffff-ffff-7fff-bfff-ffffffffffff',
];

/** Path segments written raw: bad percent-encoding, invalid UTF-8 and overlong encodings, traversal. */
const RAW_SEGMENTS: readonly string[] = [
  '%00',
  '%ZZ',
  '%',
  '%0',
  '%u0000',
  '%C0%AE%C0%AE%2F%C0%AE%C0%AE%2Fetc%2Fpasswd',
  '%C0%80',
  '%E0%80%AF',
  '%ED%A0%80',
  '%F4%90%80%80',
  '%FF%FE',
  '%C3%28',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2f',
  '%252e%252e%252f',
  '..',
  '.',
  'x'.repeat(20_000),
];

/** Query values beyond the injections: numbers, dates and cursors out of range or malformed. */
const QUERY_EDGES: readonly string[] = [
  '-5',
  '1.5',
  '1e3',
  '0x10',
  '+5',
  ' 5',
  '5 ',
  '9007199254740993',
  '100000000',
  '2026-01-01T00:00:00Z',
  '2026-01-01T00:00:00+25:00',
  '2026-01-01T00:00:00.000Z/2025-01-01',
  '20260101',
  '1e20',
  'csv',
  'CSV',
  'xml',
  'eyJjdXJzb3IiOiIxIn0=',
  'MTIzNDU2Nzg5MA%%',
];

/** Invalid UTF-8 byte sequences (bad continuation, lone bytes, overlong, surrogates, beyond U+10FFFF, truncated). */
export const BAD_UTF8: readonly (readonly number[])[] = [
  [0xc3, 0x28],
  [0xff],
  [0xfe, 0xff],
  [0x80],
  [0xc0, 0xaf],
  [0xc0, 0x80],
  [0xe0, 0x80, 0xaf],
  [0xf0, 0x80, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
];

/** Values of each JSON type, to put where another is documented. */
const TYPE_SWAPS: readonly unknown[] = [null, 0, -1, 1.5, true, 'string', '', [], {}, [null, 1, 'a'], { nested: { x: 1 } }];

/** Raw JSON number texts out of range or malformed (the last four are not JSON at all). */
const RAW_NUMBERS: readonly string[] = ['1e400', '-1e400', '123456789012345678901234567890', '1e-400', '-0', '2e308', 'NaN', 'Infinity', '0x10', '01'];

/** Content types that must not be taken for JSON, and JSON announced in ways the server must refuse or survive. */
const CONTENT_TYPES: readonly (string | undefined)[] = [
  undefined,
  '',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzz',
  'application/xml',
  'application/jsonx',
  'application/x-ndjson',
  'text/csv',
  'image/png',
  '*/*',
  'application/json; charset=utf-16',
  'application/json; charset=iso-8859-1',
  'application/json;;;',
  'application/json, text/plain',
];

// ---------------------------------------------------------------------------------------------
// Encoding helpers
// ---------------------------------------------------------------------------------------------

/** `encodeURIComponent`, but lone surrogates become their (invalid) WTF-8 bytes instead of throwing. */
export function encodeSegment(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const isHigh = code >= 0xd800 && code <= 0xdbff;
    const isLow = code >= 0xdc00 && code <= 0xdfff;
    if (isHigh && i + 1 < value.length && value.charCodeAt(i + 1) >= 0xdc00 && value.charCodeAt(i + 1) <= 0xdfff) {
      out += encodeURIComponent(value.slice(i, i + 2));
      i++;
    } else if (isHigh || isLow) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(value[i]);
    }
  }
  return out;
}

/** JSON text of `value`, with `raw` substitutions: each `RAW(n)` placeholder string becomes the bytes given. */
class RawJson {
  private readonly parts: Buffer[] = [];
  private n = 0;
  private readonly raws = new Map<string, Buffer>();

  placeholder(bytes: Buffer | string): string {
    const token = `\u0001raw${this.n++}\u0001`;
    this.raws.set(token, Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8'));
    return token;
  }

  serialise(value: unknown): Buffer {
    let text = JSON.stringify(value);
    this.parts.length = 0;
    for (const [token, bytes] of this.raws) {
      const quoted = JSON.stringify(token);
      const at = text.indexOf(quoted);
      if (at < 0) continue;
      this.parts.push(Buffer.from(text.slice(0, at), 'utf8'), bytes);
      text = text.slice(at + quoted.length);
    }
    this.parts.push(Buffer.from(text, 'utf8'));
    return Buffer.concat(this.parts);
  }
}

const nestedArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const nestedObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

// ---------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------

const DEFAULT_ID = '0190f5a0-8b2c-7d3e-9f40-123456789abc';

function defaultPathValue(name: string, context: FuzzContext): string {
  if (name === 'platformId') return context.platformId;
  if (name === 'adId') return 'fuzz-ad-0001';
  if (name === 'contact') return '+33612345678';
  return DEFAULT_ID;
}

function buildPath(op: Operation, context: FuzzContext, override?: { name: string; raw: string }): string {
  return op.path.replace(/\{([^}]+)\}/g, (_match, name: string) =>
    override?.name === name ? override.raw : encodeSegment(defaultPathValue(name, context)),
  );
}

function bodyOptions(op: Operation, context: FuzzContext): ValidationOptions {
  return { nulIsInvalid: !context.controlCharactersAllowed.has(op.id), resolve: context.resolve(op.service) };
}

interface BodyModel {
  schema: JsonSchema;
  options: ValidationOptions;
  base: unknown;
  /** The base made invalid by dropping its first required field (for mutations that could leave it valid). */
  invalidBase: unknown;
}

/**
 * Whether a server must refuse `value` as a whole. A JSON array of items may be answered per
 * item (ingest's batch: valid ads are recorded, bad ones rejected), so an array is refused
 * only when it is invalid as a whole (length, type) or every one of its items is.
 */
export function mustBeRefused(schema: JsonSchema, options: ValidationOptions, value: unknown): boolean {
  try {
    return refused(schema, options, value);
  } catch (error) {
    // Too deep to even walk: no documented schema nests anywhere near that deep.
    if (error instanceof RangeError) return true;
    throw error;
  }
}

function refused(schema: JsonSchema, options: ValidationOptions, value: unknown): boolean {
  if (!isValid(schema, value, options)) {
    if (!Array.isArray(value) || !schema.items || !isValid({ ...schema, items: undefined }, value, options)) return true;
    return value.every((item) => !isValid(schema.items as JsonSchema, item, options));
  }
  return false;
}

/** Drops the first required property (not an array item) of `value`, if there is one. */
function dropFirstRequired(schema: JsonSchema, options: ValidationOptions, value: unknown): { value: unknown; dropped: string } | undefined {
  const required = fieldsOf(schema, value, options).find(
    (field) => field.required && typeof field.pointer[field.pointer.length - 1] === 'string' && fieldValue(value, field.pointer) !== undefined,
  );
  return required ? { value: withField(value, required.pointer, REMOVE), dropped: pointerText(required.pointer) } : undefined;
}

/**
 * Makes `value` something the server must refuse if it is not already: drops a required
 * property (of each still valid item, for arrays), else swaps the root type.
 */
function ensureInvalid(model: Pick<BodyModel, 'schema' | 'options'>, value: unknown): { value: unknown; note: string } {
  if (mustBeRefused(model.schema, model.options, value)) return { value, note: '' };
  const itemSchema = model.schema.items;
  if (Array.isArray(value) && itemSchema) {
    const items = value.map((item) => (isValid(itemSchema, item, model.options) ? dropFirstRequired(itemSchema, model.options, item)?.value ?? null : item));
    if (mustBeRefused(model.schema, model.options, items)) return { value: items, note: ' +valid items broken' };
  } else {
    const dropped = dropFirstRequired(model.schema, model.options, value);
    if (dropped && mustBeRefused(model.schema, model.options, dropped.value)) return { value: dropped.value, note: ` +missing ${dropped.dropped}` };
  }
  return { value: Array.isArray(value) ? { notAnArray: value } : [value], note: ' +wrong root type' };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const NOT_JSON = Symbol('not JSON');

/** The body as a strict server would parse it, or NOT_JSON. */
function parseBody(body: Buffer): unknown {
  try {
    return JSON.parse(utf8.decode(body));
  } catch {
    return NOT_JSON;
  }
}

function bodyModel(op: Operation, context: FuzzContext): BodyModel | undefined {
  if (!op.jsonBody) return undefined;
  const options = bodyOptions(op, context);
  const base = exampleOf(op.jsonBody, { ...options, byName: { platformId: context.platformId, platformAdId: 'fuzz-ad-0001', adId: 'fuzz-ad-0001', url: 'http://127.0.0.1:9/tdb' } });
  const invalidBase = ensureInvalid({ schema: op.jsonBody, options }, base).value;
  return { schema: op.jsonBody, options, base, invalidBase };
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

/** A short, printable description of a JSON pointer. */
const pointerText = (pointer: readonly (string | number)[]) => `/${pointer.join('/')}`;

export function generateCases(operations: readonly Operation[], context: FuzzContext, total: number): FuzzCase[] {
  const random = new Random(context.seed);
  const cases: FuzzCase[] = [];
  const jsonHeaders = { 'content-type': 'application/json' };

  const push = (op: Operation, label: string, parts: { url?: string; headers?: Record<string, string>; body?: BodySource; foreignPlatform?: boolean; auth?: Auth }) => {
    const roll = random.float();
    const auth: Auth = parts.auth ?? (!op.secured ? { kind: 'none' } : roll < 0.07 ? { kind: 'none' } : roll < 0.09 ? garbageAuth(random) : { kind: 'role' });
    cases.push({
      op,
      method: op.method,
      url: parts.url ?? buildPath(op, context),
      headers: parts.headers ?? {},
      body: parts.body,
      auth,
      foreignPlatform: parts.foreignPlatform ?? false,
      label,
    });
  };

  for (const op of operations) {
    const model = bodyModel(op, context);
    // Operations without a documented JSON body that take one (NDJSON or CSV uploads read as
    // streams) are not told apart in the documents: all of them get the broken streams.
    const takesStream = op.method !== 'GET' && op.method !== 'DELETE' && !op.jsonBody;
    /**
     * The body that goes with path, query and header mutations. With a path mutation the
     * body is valid (so the id reaches the handler) unless the operation accepts unknown ids;
     * with query and header mutations it is always one the server must refuse.
     */
    const companion = (validBody: boolean): { headers: Record<string, string>; body?: BodySource } => {
      if (model) return { headers: { ...jsonHeaders }, body: json(validBody && !context.acceptsUnknownIds.has(op.id) ? model.base : model.invalidBase) };
      return takesStream ? { headers: { 'content-type': 'application/x-ndjson' }, body: Buffer.from('{"broken":\n') } : { headers: {} };
    };

    // Path parameters: every injection, encoded, and the raw malformed segments.
    for (const name of op.pathParams) {
      const values = [
        ...INJECTIONS.map((value) => ({ label: JSON.stringify(value.slice(0, 40)), raw: encodeSegment(value) })),
        ...RAW_SEGMENTS.map((raw) => ({ label: `raw ${raw.slice(0, 40)}`, raw })),
      ];
      for (const { label, raw } of values) {
        push(op, `path {${name}} = ${label}`, { url: buildPath(op, context, { name, raw }), ...companion(true), foreignPlatform: name === 'platformId' });
      }
    }

    // Documented query filters with every injection and edge value; undocumented cursors with a few.
    const queries = [
      ...op.queryParams.map((p) => ({ name: p.name, values: [...INJECTIONS, ...QUERY_EDGES] })),
      ...(op.method === 'GET' ? ['cursor', 'offset', '__proto__'].map((name) => ({ name, values: random.sample([...INJECTIONS, ...QUERY_EDGES], 8) })) : []),
    ];
    for (const { name, values } of queries) {
      for (const value of values) {
        push(op, `query ${name} = ${JSON.stringify(value.slice(0, 40))}`, { url: `${buildPath(op, context)}?${encodeURIComponent(name)}=${encodeSegment(value)}`, ...companion(false) });
      }
      for (const raw of [`${name}=a&${name}=b`, `${name}[]=1&${name}[]=2`, `${name}[$gt]=`, `${name}=%ZZ`, `${name}=%ED%A0%80`, `${name}=%C0%AE`, `${name}`, `${name}=`, `${name}=${'9'.repeat(5000)}`]) {
        push(op, `query raw ${raw.slice(0, 40)}`, { url: `${buildPath(op, context)}?${raw}`, ...companion(false) });
      }
    }
    if (op.queryParams.length > 0) {
      const all = op.queryParams.map((p) => `${p.name}=${encodeSegment("' OR 1=1--")}`).join('&');
      push(op, 'query: every filter malformed at once', { url: `${buildPath(op, context)}?${all}`, ...companion(false) });
    }

    // Documented header parameters (e.g. Accept).
    for (const name of op.headerParams) {
      for (const value of ['text/csv', 'text/csv;q=0', '*/*', 'text/html', 'application/json;q=2', '', 'x'.repeat(8000), "' OR 1=1--", '%00', 'text/csv, text/csv, text/csv']) {
        const { headers, body } = companion(false);
        push(op, `header ${name}: ${JSON.stringify(value.slice(0, 30))}`, { headers: { ...headers, [name]: value }, body });
      }
    }

    if (model) generateBodyCases(op, model, context, random, push);
    else if (takesStream) generateStreamCases(op, operations, context, random, push);
    generateUnexpectedBodyCases(op, push);
  }

  // Seeded random cases (fast-check samples) until the total is reached.
  const remaining = total - cases.length;
  if (remaining > 0) generateRandomCases(operations, context, random, remaining, push);
  return cases;
}

type Push = (op: Operation, label: string, parts: { url?: string; headers?: Record<string, string>; body?: BodySource; foreignPlatform?: boolean; auth?: Auth }) => void;

function garbageAuth(random: Random): Auth {
  const choices: Record<string, string>[] = [
    { authorization: 'Bearer' },
    { authorization: 'Bearer ' },
    { authorization: 'Basic YWRtaW46YWRtaW4=' },
    { authorization: `Bearer ${'k'.repeat(600)}` },
    { authorization: "Bearer ' OR 1=1--" },
    { authorization: 'Bearer \u00ff\u00fe\u00e9' },
    { 'x-api-key': '../../etc/passwd' },
    { 'x-api-key': '' },
    { authorization: 'bearer lowercase-scheme' },
    { authorization: `Bearer ${'%00'.repeat(10)}` },
  ];
  return { kind: 'garbage', headers: random.pick(choices) };
}

function generateUnexpectedBodyCases(op: Operation, push: Push): void {
  if (op.method !== 'GET' && op.method !== 'DELETE') return;
  // Bodies sent where none is documented: must be ignored or refused, never a crash.
  for (const [label, body, type] of [
    ['unexpected JSON body', Buffer.from('{"unexpected":true}'), 'application/json'],
    ['unexpected invalid JSON body', Buffer.from('{"unexpected":'), 'application/json'],
    ['unexpected invalid UTF-8 body', Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]), 'application/json'],
    ['unexpected deep JSON body', Buffer.from(nestedArrays(50_000)), 'application/json'],
    ['unexpected text body', Buffer.from('hello'), 'text/plain'],
  ] as const) {
    push(op, label, { headers: { 'content-type': type }, body });
  }
}

function generateBodyCases(op: Operation, model: BodyModel, context: FuzzContext, random: Random, push: Push): void {
  const headers = { 'content-type': 'application/json' };
  const send = (label: string, value: unknown) => {
    const invalid = ensureInvalid(model, value);
    push(op, `${label}${invalid.note}`, { headers, body: json(invalid.value) });
  };
  /**
   * A body with raw bytes in place of the field at `pointer` (invalid UTF-8, out-of-range
   * numbers, deep nesting, prototype keys). Sent as is when the server must refuse it; else
   * built on the invalid base; skipped when even that would be acceptable.
   */
  const sendRaw = (label: string, pointer: readonly (string | number)[], bytes: Buffer | string) => {
    for (const [start, note] of [[model.base, ''], [model.invalidBase, ' +invalid base']] as const) {
      const raw = new RawJson();
      const body = raw.serialise(withField(start, pointer, raw.placeholder(bytes)));
      const parsed = parseBody(body);
      if (parsed === NOT_JSON || mustBeRefused(model.schema, model.options, parsed)) {
        push(op, `${label}${note}`, { headers, body });
        return;
      }
    }
  };
  const fields = fieldsOf(model.schema, model.base, model.options);

  for (const field of fields) {
    const where = pointerText(field.pointer);
    const current = fieldValue(model.base, field.pointer);
    const schema = field.schema;

    // Wrong JSON types, one of each kind that the field does not accept.
    const seenTypes = new Set<string>();
    for (const swap of TYPE_SWAPS) {
      const kind = swap === null ? 'null' : Array.isArray(swap) ? 'array' : typeof swap;
      if (seenTypes.has(kind) && kind !== 'number') continue;
      if (isValid(schema, swap, model.options)) continue;
      seenTypes.add(kind);
      send(`${where} wrong type ${JSON.stringify(swap)}`, withField(model.base, field.pointer, swap));
    }
    if (field.required && typeof field.pointer[field.pointer.length - 1] === 'string') send(`${where} missing`, withField(model.base, field.pointer, REMOVE));

    // Unknown properties where the object forbids them.
    if (schema.type === 'object' || schema.properties) {
      send(`${where} extra field`, withField(model.base, field.pointer, { ...(current as object), fuzzExtra: 'x' }));
      sendRaw(`${where} = prototype pollution keys`, field.pointer, '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}}}');
    }

    if (typeof current === 'string' || schema.type === 'string' || schema.anyOf?.some((branch) => branch.type === 'string')) {
      const text = typeof current === 'string' ? current : 'abc';
      if (schema.maxLength !== undefined) send(`${where} over maxLength (${schema.maxLength + 1})`, withField(model.base, field.pointer, 'x'.repeat(schema.maxLength + 1)));
      send(`${where} huge string (60k)`, withField(model.base, field.pointer, 'é'.repeat(60_000)));
      send(`${where} with NUL`, withField(model.base, field.pointer, `${text.slice(0, 3)}\u0000${text.slice(3)}`));
      send(`${where} with controls`, withField(model.base, field.pointer, `${text}\u0001\u001b[31m\u007f\u0085`));
      send(`${where} with RTL/zero-width`, withField(model.base, field.pointer, `\u202E${text}\u200B\uFEFF`));
      send(`${where} lone surrogate`, withField(model.base, field.pointer, `${text}\uD800`));
      for (const injection of random.sample(INJECTIONS, 14)) send(`${where} = ${JSON.stringify(injection.slice(0, 40))}`, withField(model.base, field.pointer, injection));
      for (const bytes of random.sample(BAD_UTF8, 4)) {
        sendRaw(`${where} invalid UTF-8 ${Buffer.from(bytes).toString('hex')}`, field.pointer, Buffer.concat([Buffer.from('"ok'), Buffer.from(bytes), Buffer.from('ok"')]));
      }
    }

    if (schema.type === 'integer' || schema.type === 'number') {
      const edges = [schema.maximum !== undefined ? schema.maximum + 1 : undefined, schema.minimum !== undefined ? schema.minimum - 1 : undefined, 1.5, -1e308, 1e308, Number.MAX_SAFE_INTEGER + 2];
      for (const edge of edges) if (edge !== undefined && !isValid(schema, edge, model.options)) send(`${where} = ${edge}`, withField(model.base, field.pointer, edge));
      for (const number of RAW_NUMBERS) {
        sendRaw(`${where} = raw ${number}`, field.pointer, number);
      }
    }

    if (schema.type === 'array' && Array.isArray(current)) {
      const item = current[0] ?? 'x';
      const itemSize = JSON.stringify(item).length + 1;
      if (schema.maxItems !== undefined && (schema.maxItems + 1) * itemSize < context.bodyLimit * 0.9) {
        send(`${where} over maxItems (${schema.maxItems + 1})`, withField(model.base, field.pointer, Array.from({ length: schema.maxItems + 1 }, () => item)));
      }
      if ((schema.minItems ?? 0) > 0) send(`${where} empty array`, withField(model.base, field.pointer, []));
      if (schema.uniqueItems) send(`${where} duplicate items`, withField(model.base, field.pointer, [item, item]));
      send(`${where} 20k nulls`, withField(model.base, field.pointer, Array.from({ length: 20_000 }, () => null)));
    }

    // Deep nesting in place of the field.
    for (const [label, text] of [['arrays', nestedArrays(5_000)], ['objects', nestedObjects(5_000)]] as const) {
      sendRaw(`${where} deeply nested ${label}`, field.pointer, text);
    }
  }

  // The body as a whole.
  send('root extra field', Array.isArray(model.base) ? [...model.base, { fuzzExtra: true }] : { ...(model.base as object), fuzzExtra: true });
  for (const root of [null, 0, 'string', true, [], {}, [{}], [[]], { '': '' }]) if (!isValid(model.schema, root, model.options)) send(`root = ${JSON.stringify(root)}`, root);
  const baseText = JSON.stringify(model.base);
  for (const cut of new Set([1, 2, baseText.length - 1, ...Array.from({ length: 8 }, () => random.int(1, baseText.length - 1))])) {
    push(op, `truncated JSON at ${cut}/${baseText.length}`, { headers, body: Buffer.from(baseText.slice(0, cut)) });
  }
  const invalidText = JSON.stringify(model.invalidBase);
  for (const [label, text] of [
    ['empty body', ''],
    ['whitespace body', ' \n\t '],
    ['trailing comma', baseText.replace(/}$/, ',}').replace(/]$/, ',]')],
    ['single quotes', baseText.replace(/"/g, "'")],
    ['comment', `/* fuzz */${baseText}`],
    ['two documents', `${baseText}${baseText}`],
    ['trailing garbage', `${baseText}garbage`],
    ['NaN literal', baseText.replace(/:(\s*)("[^"]*"|true|false|\d+)/, ':NaN')],
    ['unquoted key', `{fuzz:1}`],
    ['BOM then invalid body', `\uFEFF${invalidText}`],
    ['raw NUL byte in JSON text', `${invalidText.slice(0, 1)}\u0000${invalidText.slice(1)}`],
    ['duplicate keys (last invalid)', invalidText.replace(/^\{/, '{"fuzzDup":1,').replace(/}$/, ',"fuzzDup":{"__proto__":null}}')],
  ] as const) {
    push(op, label, { headers, body: Buffer.from(text, 'utf8') });
  }
  for (const bytes of BAD_UTF8) {
    push(op, `invalid UTF-8 body ${Buffer.from(bytes).toString('hex')}`, { headers, body: Buffer.concat([Buffer.from(invalidText.slice(0, 2)), Buffer.from(bytes), Buffer.from(invalidText.slice(2))]) });
  }
  push(op, 'UTF-16 body', { headers: { 'content-type': 'application/json; charset=utf-16' }, body: Buffer.from(invalidText, 'utf16le') });
  for (const type of CONTENT_TYPES) {
    push(op, `content-type ${type === undefined ? '(none)' : JSON.stringify(type)}`, { headers: type === undefined ? {} : { 'content-type': type }, body: Buffer.from(invalidText, 'utf8') });
  }
  push(op, 'content-encoding gzip (not gzipped)', { headers: { ...headers, 'content-encoding': 'gzip' }, body: Buffer.from(invalidText) });
  push(op, 'chunked, UTF-8 split across chunks', { headers, body: splitChunks(Buffer.from(JSON.stringify({ ...(model.invalidBase as object), fuzz: 'éé😀' })), 7) });
  for (const depth of [1_000, 10_000, 100_000]) {
    push(op, `deeply nested arrays (${depth})`, { headers, body: Buffer.from(nestedArrays(depth)) });
    push(op, `deeply nested objects (${depth})`, { headers, body: Buffer.from(nestedObjects(depth)) });
  }
  const padded = Array.isArray(model.invalidBase) ? { items: model.invalidBase } : (model.invalidBase as object);
  push(op, 'huge string field under the body limit', { headers, body: () => json({ ...padded, fuzzPad: 'x'.repeat(Math.floor(context.bodyLimit * 0.8)) }) });
  push(op, 'body over the limit', { headers, body: () => Buffer.concat([Buffer.from('{"fuzzPad":"'), Buffer.alloc(context.bodyLimit + 64 * 1024, 0x78), Buffer.from('"}')]) });
}

function splitChunks(body: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) chunks.push(body.subarray(at, at + size));
  return chunks;
}

/** Broken NDJSON / CSV streams for bodies read as streams (no JSON body documented). */
function generateStreamCases(op: Operation, operations: readonly Operation[], context: FuzzContext, random: Random, push: Push): void {
  // Ads-like lines: the items of the sibling batch endpoint (`…/ads` for `…/ads/ndjson`), each made invalid.
  const sibling = operations.find((other) => other.service === op.service && other.method === 'POST' && other.jsonBody && op.path.startsWith(`${other.path}/`));
  const itemSchema = sibling?.jsonBody?.items;
  const itemLines: string[] = [];
  if (itemSchema) {
    const options = bodyOptions(sibling as Operation, context);
    const model = { schema: itemSchema, options };
    const base = exampleOf(itemSchema, { ...options, byName: { platformAdId: 'fuzz-ad-0001' } });
    for (const field of fieldsOf(itemSchema, base, options)) {
      for (const swap of [null, 12, 'x'.repeat(21_000), ["' OR 1=1--"], { a: { b: [] } }]) {
        const mutated = ensureInvalid(model, withField(base, field.pointer, swap)).value;
        itemLines.push(JSON.stringify(mutated));
      }
    }
    itemLines.push(JSON.stringify(ensureInvalid(model, base).value));
  }
  const brokenLines: (string | Buffer)[] = [
    '{',
    '{"platformAdId":',
    '}',
    'null',
    '[]',
    '"string"',
    '42',
    'true',
    '{}',
    '{"platformAdId":"x"}',
    '\u0000',
    '{"a":"\u0000"}',
    '\uFEFF{}',
    '{"a":"\\ud800"}',
    'a,b,c',
    '"unterminated,field',
    nestedArrays(10_000),
    nestedObjects(10_000),
    Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
    Buffer.from([0xc0, 0xaf, 0xe0, 0x80, 0xaf]),
    Buffer.from([0xed, 0xa0, 0x80]),
    Buffer.from([0xff, 0xfe, 0x00, 0x00]),
  ];
  const line = (value: string | Buffer) => (Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8'));
  const streamTypes = ['application/x-ndjson', 'text/csv', 'application/x-ndjson; charset=utf-8'];
  for (const broken of [...brokenLines, ...itemLines]) {
    const label = Buffer.isBuffer(broken) ? `bytes ${broken.toString('hex').slice(0, 20)}` : JSON.stringify(broken.slice(0, 40));
    push(op, `stream line ${label}`, { headers: { 'content-type': random.pick(streamTypes) }, body: Buffer.concat([line(broken), Buffer.from('\n')]) });
  }
  for (let i = 0; i < 40; i++) {
    const count = random.int(2, 60);
    const lines = Array.from({ length: count }, () => line(random.pick([...brokenLines, ...itemLines, ''])));
    const separator = random.pick(['\n', '\r\n', '\r', '\n\n']);
    const body = Buffer.concat(lines.flatMap((part) => [part, Buffer.from(separator)]));
    push(op, `stream of ${count} broken lines (sep ${JSON.stringify(separator)})`, { headers: { 'content-type': random.pick(streamTypes) }, body: random.chance(0.5) ? splitChunks(body, random.int(1, 64)) : body });
  }
  const csvHeader = 'adId,category,noticeReceivedAt,knowledgeAt\n';
  for (const [label, text] of [
    ['header only', csvHeader],
    ['bad quoting', `${csvHeader}"x,pimping,"2026-01-01\n`],
    ['too many columns', `${csvHeader}${'a,'.repeat(5000)}\n`],
    ['NUL in row', `${csvHeader}x\u0000,pimping,,\n`],
    ['NUL in a free-text cell of an otherwise valid row', `adId,category,noticeReceivedAt,reference\nfuzz-ad-0001,pimping,2026-01-01T00:00:00Z,ref\u0000erence\n`],
    ['no header', 'x,y,z\n'],
    ['bad dates', `${csvHeader}x,pimping,yesterday,2026-13-45T25:61:61Z\n`],
  ] as const) {
    push(op, `csv ${label}`, { headers: { 'content-type': 'text/csv' }, body: Buffer.from(text) });
  }
  push(op, '20,000 empty lines', { headers: { 'content-type': 'application/x-ndjson' }, body: Buffer.from('\n'.repeat(20_000)) });
  push(op, '20,000 broken lines', { headers: { 'content-type': 'application/x-ndjson' }, body: Buffer.from('{"x":\n'.repeat(20_000)) });
  push(op, 'one 3 MB line', { headers: { 'content-type': 'application/x-ndjson' }, body: () => Buffer.concat([Buffer.from('{"title":"'), Buffer.alloc(3 * 1024 * 1024, 0x61), Buffer.from('"}\n')]) });
  push(op, 'chunked, UTF-8 split across chunks', { headers: { 'content-type': 'application/x-ndjson' }, body: splitChunks(Buffer.from('{"title":"éé😀", "broken": \n'), 3) });
  push(op, 'one 900 kB line in 16-byte chunks', { headers: { 'content-type': 'application/x-ndjson' }, body: () => splitChunks(Buffer.from(`{"title":"${'a'.repeat(900 * 1024)}\n`), 16) });
  push(op, 'empty stream', { headers: { 'content-type': 'application/x-ndjson' }, body: Buffer.alloc(0) });
  // Streams are not bound by the JSON body limit (a backfill may be any length): longer than it, in broken lines.
  push(op, 'stream longer than the JSON body limit', { headers: { 'content-type': 'application/x-ndjson' }, body: () => Buffer.from(`{"title":"${'a'.repeat(2000)}\n`.repeat(Math.ceil((context.bodyLimit * 1.1) / 2012))) });
  for (const type of CONTENT_TYPES) {
    push(op, `content-type ${type === undefined ? '(none)' : JSON.stringify(type)}`, { headers: type === undefined ? {} : { 'content-type': type }, body: Buffer.from('{"x":\n') });
  }
  push(op, 'JSON array instead of NDJSON', { headers: { 'content-type': 'application/json' }, body: Buffer.from('[{"x":1}]') });
}

/** Seeded random requests: fast-check values in bodies, fields, path parameters and query filters. */
function generateRandomCases(operations: readonly Operation[], context: FuzzContext, random: Random, count: number, push: Push): void {
  const seed = context.seed;
  const strings = fc.sample(fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.constantFrom(...INJECTIONS)), { seed, numRuns: count });
  const values = fc.sample(fc.jsonValue({ maxDepth: 4 }), { seed: seed + 1, numRuns: count });
  const bytes = fc.sample(fc.uint8Array({ maxLength: 200 }), { seed: seed + 2, numRuns: count });
  const models = new Map(operations.map((op) => [op.id, bodyModel(op, context)]));
  for (let i = 0; i < count; i++) {
    const op = random.pick(operations);
    const model = models.get(op.id);
    const roll = random.float();
    const headers: Record<string, string> = model ? { 'content-type': 'application/json' } : {};
    const companion = (validBody: boolean) => (model ? json(validBody && !context.acceptsUnknownIds.has(op.id) ? model.base : model.invalidBase) : undefined);
    if (model && roll < 0.35) {
      // A random value in a random field.
      const field = random.pick(fieldsOf(model.schema, model.base, model.options));
      const mutated = ensureInvalid(model, withField(model.base, field.pointer, random.chance(0.5) ? strings[i] : values[i]));
      push(op, `random ${pointerText(field.pointer)} = ${JSON.stringify(fieldValue(mutated.value, field.pointer))?.slice(0, 60)}${mutated.note}`, { headers, body: json(mutated.value) });
    } else if (model && roll < 0.55) {
      const mutated = ensureInvalid(model, values[i]);
      push(op, `random body ${JSON.stringify(mutated.value)?.slice(0, 60)}`, { headers, body: json(mutated.value) });
    } else if (roll < 0.65 && op.method !== 'GET') {
      const type = random.pick(['application/json', 'application/x-ndjson', 'text/csv', 'application/octet-stream']);
      const body = Buffer.from(bytes[i]);
      const parsed = parseBody(body);
      // Random bytes that happen to be an acceptable JSON body are not sent.
      if (model && parsed !== NOT_JSON && !mustBeRefused(model.schema, model.options, parsed)) continue;
      push(op, `random bytes ${body.toString('hex').slice(0, 40)} as ${type}`, { headers: { 'content-type': type }, body });
    } else if (op.pathParams.length > 0 && roll < 0.85) {
      const name = random.pick(op.pathParams);
      push(op, `random path {${name}} = ${JSON.stringify(strings[i])}`, { url: buildPath(op, context, { name, raw: encodeSegment(strings[i]) || '%20' }), headers, body: companion(true), foreignPlatform: name === 'platformId' });
    } else {
      const name = op.queryParams.length > 0 ? random.pick(op.queryParams).name : 'q';
      push(op, `random query ${name} = ${JSON.stringify(strings[i])}`, { url: `${buildPath(op, context)}?${encodeURIComponent(name)}=${encodeSegment(strings[i])}`, headers, body: companion(false) });
    }
  }
}

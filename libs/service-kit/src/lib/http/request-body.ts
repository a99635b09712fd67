import { BadRequestException } from '@nestjs/common';
import { Type, type SchemaOptions, type Static, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();
const MAX_REPORTED_ERRORS = 20;

/**
 * Validates a request body against a TypeBox schema (the same schema documents it in
 * OpenAPI) and answers 400 with every failing field and why.
 */
export function parseRequestBody<T extends TSchema>(schema: T, body: unknown): Static<T> {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  const nulFields = stringsWithNul(body).map((field) => ({ field, reason: 'must not contain NUL (U+0000)' }));
  if (nulFields.length === 0 && check.Check(body)) return body as Static<T>;
  // The first 20 only, read lazily: each further error costs a walk of what remains of the body.
  const errors: { field: string; reason: string }[] = nulFields.slice(0, MAX_REPORTED_ERRORS);
  for (const error of check.Errors(body)) {
    if (errors.length >= MAX_REPORTED_ERRORS) break;
    errors.push({ field: error.path || '/', reason: error.message });
  }
  throw new BadRequestException({
    statusCode: 400,
    code: 'INVALID_REQUEST',
    message: `invalid request body: ${errors[0]?.field} ${errors[0]?.reason}`,
    errors,
  });
}

/**
 * JSON pointers of the strings (and property names) in `value` that contain U+0000: no
 * PostgreSQL text or jsonb value can hold it, so it is refused rather than failing the insert.
 */
function stringsWithNul(value: unknown): string[] {
  const found: string[] = [];
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0 && found.length < 20) {
    const [current, pointer] = stack.pop() as [unknown, string];
    if (typeof current === 'string') {
      if (current.includes('\u0000')) found.push(pointer || '/');
    } else if (Array.isArray(current) || isPlainObject(current)) {
      // Parsed JSON only: a body that is something else (a stream a parser passed through) is
      // left to the schema check, never walked.
      for (const [key, child] of Object.entries(current as object)) {
        const childPointer = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        if (key.includes('\u0000')) found.push(childPointer);
        stack.push([child, childPointer]);
      }
    }
  }
  return found.sort();
}

function isPlainObject(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** A TypeBox schema as plain JSON Schema for `@ApiBody({ schema })`. */
export function openApiSchema(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema));
}

/** One of a closed list of strings, typed as that union (not `string`) in `Static<>`. */
export function literalUnion<T extends readonly string[]>(values: T, options?: SchemaOptions): TUnion<TLiteral<T[number]>[]> {
  return Type.Union(
    values.map((value) => Type.Literal(value)),
    options,
  ) as unknown as TUnion<TLiteral<T[number]>[]>;
}

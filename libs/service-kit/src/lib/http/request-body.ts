import { BadRequestException } from '@nestjs/common';
import { Type, type SchemaOptions, type Static, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

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
  if (check.Check(body)) return body as Static<T>;
  const errors = [...check.Errors(body)].slice(0, 20).map((error) => ({ field: error.path || '/', reason: error.message }));
  throw new BadRequestException({
    statusCode: 400,
    code: 'INVALID_REQUEST',
    message: `invalid request body: ${errors[0]?.field} ${errors[0]?.reason}`,
    errors,
  });
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

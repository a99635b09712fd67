import { HttpException } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A request error answered by Nest's exception layer with our machine-readable code. */
export function requestError(statusCode: number, code: string, message: string): Error {
  return new HttpException({ statusCode, code, message }, statusCode);
}

/**
 * Replaces Fastify's JSON parser with one that rejects bodies that are not valid UTF-8
 * (Fastify would silently turn them into U+FFFD) and says where the JSON breaks.
 */
export function installStrictJsonParser(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser(['application/json']);
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(requestError(400, 'INVALID_UTF8', 'the request body is not valid UTF-8'), undefined);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      done(requestError(400, 'INVALID_JSON', `the request body is not valid JSON: ${(error as Error).message}`), undefined);
      return;
    }
    // Validators, hashing and logging walk values recursively: a body nested thousands of
    // levels deep would overflow their stacks (a 500) though no request of ours nests past a few.
    if (nestingDepth(value) > MAX_JSON_DEPTH) {
      done(requestError(400, 'JSON_TOO_DEEP', `the request body nests deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      return;
    }
    done(null, value);
  });
}

/** Deepest nesting of arrays and objects accepted in a JSON request body. */
export const MAX_JSON_DEPTH = 64;

/** How deeply `value` nests arrays and objects (0 for a scalar), without recursion. */
export function nestingDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_JSON_DEPTH) return deepest;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Refuses path parameters and query values no handler can use, before any handler runs: NUL
 * characters (U+0000 fits in no PostgreSQL text: the query would fail) and query parameters
 * given more than once (Fastify makes them arrays, where every handler expects one string).
 */
export function installRequestInputChecks(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const errors: { field: string; reason: string }[] = [];
    for (const [name, value] of Object.entries((request.params ?? {}) as Record<string, unknown>)) {
      if (typeof value === 'string' && value.includes('\u0000')) errors.push({ field: `path:${name}`, reason: 'must not contain NUL (U+0000)' });
    }
    for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
      if (Array.isArray(value)) errors.push({ field: `query:${name}`, reason: 'must be given at most once' });
      else if (typeof value === 'string' && value.includes('\u0000')) errors.push({ field: `query:${name}`, reason: 'must not contain NUL (U+0000)' });
    }
    if (errors.length === 0) {
      done();
      return;
    }
    void reply.code(400).send({ statusCode: 400, code: 'INVALID_REQUEST', message: `invalid request: ${errors[0].field} ${errors[0].reason}`, errors });
  });
}

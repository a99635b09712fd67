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
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(requestError(400, 'INVALID_JSON', `the request body is not valid JSON: ${(error as Error).message}`), undefined);
    }
  });
}

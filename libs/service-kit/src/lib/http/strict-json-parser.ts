import type { FastifyInstance } from 'fastify';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** An error Fastify answers with its status code and our machine-readable code. */
export function requestError(statusCode: number, code: string, message: string): Error {
  return Object.assign(new Error(message), { statusCode, code });
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

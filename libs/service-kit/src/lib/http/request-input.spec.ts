import { BadRequestException } from '@nestjs/common';
import { Type } from '@sinclair/typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { parseRequestBody } from './request-body';
import { installRequestInputChecks, installStrictJsonParser, MAX_JSON_DEPTH, nestingDepth } from './strict-json-parser';

describe('request input that no handler can use', () => {
  let fastify: FastifyInstance;

  beforeAll(async () => {
    fastify = Fastify();
    installStrictJsonParser(fastify);
    installRequestInputChecks(fastify);
    fastify.post('/things/:id', async (request) => ({ params: request.params, query: request.query, body: request.body }));
    await fastify.ready();
  });

  afterAll(() => fastify.close());

  const post = (url: string, payload = '{}') => fastify.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json' } });

  it('refuses a NUL in a path parameter or a query value with the field named', async () => {
    for (const url of ['/things/ab%00cd', '/things/x?filter=%00']) {
      const answer = await post(url);
      expect(answer.statusCode).toBe(400);
      expect(answer.json()).toMatchObject({ code: 'INVALID_REQUEST', errors: [{ field: expect.stringMatching(/^(path:id|query:filter)$/), reason: 'must not contain NUL (U+0000)' }] });
    }
  });

  it('refuses a query parameter given twice', async () => {
    const answer = await post('/things/x?limit=1&limit=2');
    expect(answer.statusCode).toBe(400);
    expect(answer.json().errors).toEqual([{ field: 'query:limit', reason: 'must be given at most once' }]);
  });

  it('refuses JSON nested deeper than the limit, before any handler walks it', async () => {
    const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    expect((await post('/things/x', deep(MAX_JSON_DEPTH))).statusCode).toBe(200);
    const answer = await post('/things/x', deep(100_000));
    // Nest's exception layer turns the parser's error into `{statusCode, code, message}`; bare Fastify keeps the message.
    expect(answer.statusCode).toBe(400);
    expect(answer.json().message).toBe(`the request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  });

  it('lets ordinary requests through', async () => {
    const answer = await post('/things/a-1?filter=%C3%A9', '{"name":"é"}');
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ params: { id: 'a-1' }, query: { filter: 'é' }, body: { name: 'é' } });
  });

  it('measures nesting without recursion', () => {
    expect(nestingDepth(1)).toBe(0);
    expect(nestingDepth({ a: [1, { b: [] }] })).toBe(4);
    let value: unknown = 0;
    for (let i = 0; i < 200_000; i++) value = [value];
    expect(nestingDepth(value)).toBeGreaterThan(MAX_JSON_DEPTH);
  });
});

describe('parseRequestBody', () => {
  const Body = Type.Object({ name: Type.String({ maxLength: 50 }), tags: Type.Array(Type.String()) }, { additionalProperties: false });

  it('refuses a NUL in any string of a body that is otherwise valid, naming each field', () => {
    const failure = (() => {
      try {
        parseRequestBody(Body, { name: 'a\u0000b', tags: ['ok', 'x\u0000'] });
      } catch (error) {
        return error as BadRequestException;
      }
      throw new Error('accepted');
    })();
    expect(failure.getStatus()).toBe(400);
    expect((failure.getResponse() as { errors: unknown[] }).errors).toEqual([
      { field: '/name', reason: 'must not contain NUL (U+0000)' },
      { field: '/tags/1', reason: 'must not contain NUL (U+0000)' },
    ]);
  });

  it('accepts a valid body and never walks what is not parsed JSON', () => {
    expect(parseRequestBody(Body, { name: 'é', tags: [] })).toEqual({ name: 'é', tags: [] });
    // A stream a content-type parser passed through: refused by the schema, not walked (it is cyclic).
    const cyclic = new (class Stream {
      self = this;
    })();
    expect(() => parseRequestBody(Body, cyclic)).toThrow(BadRequestException);
  });
});

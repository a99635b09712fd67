import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createServer, type Server } from 'node:http';
import type { ServiceConfig } from '../config/service-config';
import { RemoteApiKeyGuard } from './remote-api-key.guard';

/** A registry that knows one key, counting the questions it is asked about each. */
let registry: Server;
let authUrl: string;
const asked = new Map<string, number>();

beforeAll(async () => {
  registry = createServer((request, response) => {
    const key = (request.headers.authorization ?? '').slice('Bearer '.length);
    asked.set(key, (asked.get(key) ?? 0) + 1);
    if (key === 'good-key') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keyId: 'k1', role: 'officer', platformId: 'p1', principalId: 'o1' }));
    } else {
      response.writeHead(401).end();
    }
  });
  registry.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', () => resolve()));
  const address = registry.address();
  authUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  registry.closeAllConnections();
  await new Promise<void>((resolve) => registry.close(() => resolve()));
});

function contextFor(key: string): ExecutionContext {
  const request = { headers: { authorization: `Bearer ${key}` }, params: {} };
  return { switchToHttp: () => ({ getRequest: () => request }), getHandler: () => undefined, getClass: () => undefined } as unknown as ExecutionContext;
}

describe('RemoteApiKeyGuard', () => {
  it('keeps a key in use cached while made-up keys stream in', async () => {
    const reflector = { getAllAndOverride: (name: string) => (name === 'vigie:caller-roles' ? ['officer'] : undefined) } as unknown as Reflector;
    const guard = new RemoteApiKeyGuard(reflector, { authUrl } as ServiceConfig);
    expect(await guard.canActivate(contextFor('good-key'))).toBe(true);
    for (let batch = 0; batch < 21; batch++) {
      await Promise.all(
        Array.from({ length: 500 }, (_, i) => guard.canActivate(contextFor(`made-up-${batch}-${i}`)).then(() => 'let in', () => 'refused')),
      ).then((answers) => expect(new Set(answers)).toEqual(new Set(['refused'])));
    }
    // 10,500 unknown keys: more than a cache holds. The key in use was asked about once.
    expect(await guard.canActivate(contextFor('good-key'))).toBe(true);
    expect(asked.get('good-key')).toBe(1);
  }, 60_000);
});

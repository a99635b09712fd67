import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '@vigie/provisioning';
import { isDockerEngineAvailable } from './docker-engine';

function listenOn(server: Server, socketPath: string): Promise<void> {
  return new Promise((resolve) => server.listen(socketPath, resolve));
}

describe('isDockerEngineAvailable', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'vigie-docker-ping-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is false at once when the socket does not exist', async () => {
    const startedAt = Date.now();
    await expect(isDockerEngineAvailable({ DOCKER_HOST: `unix://${join(dir, 'docker.sock')}` })).resolves.toBe(false);
    expect(Date.now() - startedAt).toBeLessThan(500);
  });

  it('is false when nothing listens on a tcp:// DOCKER_HOST', async () => {
    await expect(isDockerEngineAvailable({ DOCKER_HOST: `tcp://127.0.0.1:${await findFreePort()}` })).resolves.toBe(false);
  });

  it('is false within the timeout when the socket accepts but never answers', async () => {
    const socketPath = join(dir, 'silent.sock');
    const silent = createServer(() => undefined);
    await listenOn(silent, socketPath);
    try {
      const startedAt = Date.now();
      await expect(isDockerEngineAvailable({ DOCKER_HOST: `unix://${socketPath}` }, 300)).resolves.toBe(false);
      expect(Date.now() - startedAt).toBeLessThan(1_000);
    } finally {
      silent.close();
    }
  });

  it('is true when GET /_ping answers 200', async () => {
    const socketPath = join(dir, 'engine.sock');
    const engine = createHttpServer((request, response) => {
      response.statusCode = request.url === '/_ping' ? 200 : 404;
      response.end('OK');
    });
    await listenOn(engine, socketPath);
    try {
      await expect(isDockerEngineAvailable({ DOCKER_HOST: `unix://${socketPath}` })).resolves.toBe(true);
    } finally {
      engine.close();
    }
  });

  it('answers within about a second on this machine with the default settings', async () => {
    const startedAt = Date.now();
    await isDockerEngineAvailable({});
    expect(Date.now() - startedAt).toBeLessThan(1_500);
  });
});

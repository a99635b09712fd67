import { spawnSync } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import { loadStaticFiles, startConsoleServer, type RunningConsole } from './console-server';

/** The console's server without the services: static files, the same-origin proxy, readiness. */

let upstream: Server;
let upstreamUrl: string;
let seen: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string }[] = [];
let running: RunningConsole;

beforeAll(async () => {
  upstream = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({ method: request.method, url: request.url, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(201, { 'content-type': 'text/csv', 'content-disposition': 'attachment; filename="r.csv"', 'set-cookie': 'x=1' }).end('a,b\n');
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()));
  const address = upstream.address();
  upstreamUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  running = await startConsoleServer({ port: 0, upstreams: { ingest: upstreamUrl, scoring: upstreamUrl, nat: upstreamUrl, audit: upstreamUrl } });
});

afterAll(async () => {
  await running?.close();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

beforeEach(() => {
  seen = [];
});

describe('console server', () => {
  it('serves the app and transpiles its TypeScript modules to plain browser ES modules', async () => {
    const page = await fetch(`${running.url}/console/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('/console/app.mjs');
    const module = await fetch(`${running.url}/console/app.mjs`);
    expect(module.headers.get('content-type')).toContain('text/javascript');
    const code = await module.text();
    expect(code).toContain("from './api.mjs'");
    expect(code).not.toMatch(/:\s*Identity\b/);
    expect([...loadStaticFiles().keys()]).toEqual(expect.arrayContaining(['index.html', 'styles.css', 'app.mjs', 'dashboard.mjs', 'case.mjs', 'queue.mjs']));
  });

  it('answers client-side routes with the app and everything else with 404', async () => {
    expect((await fetch(`${running.url}/console/anything`)).headers.get('content-type')).toContain('text/html');
    expect((await fetch(`${running.url}/elsewhere`)).status).toBe(404);
    expect((await fetch(`${running.url}/ready`)).status).toBe(200);
  });

  it('forwards API calls with the caller key, body and query, and only the headers a download needs', async () => {
    const answer = await fetch(`${running.url}/api/audit/reports/sla?format=csv`, {
      method: 'POST',
      headers: { authorization: 'Bearer k-123', 'content-type': 'application/json', cookie: 'session=1' },
      body: '{"a":1}',
    });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('content-disposition')).toContain('r.csv');
    expect(answer.headers.get('set-cookie')).toBeNull();
    expect(await answer.text()).toBe('a,b\n');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/reports/sla?format=csv', body: '{"a":1}' });
    expect(seen[0].headers.authorization).toBe('Bearer k-123');
    expect(seen[0].headers.cookie).toBeUndefined();
  });

  it('rejects unknown services', async () => {
    expect((await fetch(`${running.url}/api/other/x`)).status).toBe(404);
    expect(seen).toHaveLength(0);
  });

  it('has browser code that type-checks against the DOM (tsconfig.web.json)', () => {
    const root = join(__dirname, '..', '..', '..');
    const result = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'apps', 'console', 'tsconfig.web.json')], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 60_000);
});

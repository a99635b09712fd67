import { spawnSync } from 'node:child_process';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import { loadStaticFiles, SECURITY_HEADERS, startConsoleServer, upstreamTarget, type RunningConsole } from './console-server';

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

  it('never proxies outside the service it names, nor to its /metrics', async () => {
    // Another server on loopback, standing for any address the console's host can reach.
    const elsewhere = createServer((_request, response) => response.writeHead(200).end('secret'));
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', () => resolve()));
    const address = elsewhere.address();
    const hostPort = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      for (const path of [`//${hostPort}/x`, `/\\${hostPort}/x`, `//${hostPort}`, '/metrics', '/metrics?x=1', '/./metrics', '/a/../metrics']) {
        const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          // Sent raw: fetch would normalise the path before it left.
          const request = httpRequest({ host: '127.0.0.1', port: new URL(running.url).port, path: `/api/ingest${path}` }, (response) => {
            let body = '';
            response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
          });
          request.on('error', reject);
          request.end();
        });
        expect([path, answer.status]).toEqual([path, 404]);
        expect(answer.body).not.toContain('secret');
      }
      expect(seen).toHaveLength(0);
    } finally {
      await new Promise<void>((resolve) => elsewhere.close(() => resolve()));
    }
  });

  it('maps a path to its service and nowhere else', () => {
    const base = 'http://127.0.0.1:3001';
    expect(upstreamTarget(base, '/cases/1?limit=5')?.toString()).toBe('http://127.0.0.1:3001/cases/1?limit=5');
    expect(upstreamTarget(base, '/reports/sla?q=a\\b')?.toString()).toBe('http://127.0.0.1:3001/reports/sla?q=a\\b');
    expect(upstreamTarget(base, '//169.254.169.254/latest/meta-data/')).toBeUndefined();
    expect(upstreamTarget(base, '/\\169.254.169.254/')).toBeUndefined();
    expect(upstreamTarget(base, 'http://169.254.169.254/')).toBeUndefined();
    expect(upstreamTarget(base, '/metrics')).toBeUndefined();
  });

  it('rejects unknown services', async () => {
    expect((await fetch(`${running.url}/api/other/x`)).status).toBe(404);
    expect(seen).toHaveLength(0);
  });

  describe('security headers', () => {
    const expectSecurityHeaders = (response: Response, what: string) => {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect([what, name, response.headers.get(name)]).toEqual([what, name, value]);
    };

    it('sends a strict same-origin Content-Security-Policy and the other hardening headers', () => {
      const csp = SECURITY_HEADERS['content-security-policy'];
      const directives = new Map(csp.split(';').map((directive) => directive.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
      expect(directives.get('default-src')).toEqual(["'none'"]);
      for (const name of ['script-src', 'style-src', 'connect-src', 'img-src']) expect(directives.get(name)).toEqual(["'self'"]);
      expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
      expect(directives.get('base-uri')).toEqual(["'none'"]);
      expect(csp).not.toMatch(/unsafe-|\*|data:|blob:|http:|https:/);
      expect(SECURITY_HEADERS).toMatchObject({
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'x-frame-options': 'DENY',
        'cross-origin-opener-policy': 'same-origin',
      });
      expect(SECURITY_HEADERS['permissions-policy']).toContain('camera=()');
    });

    it('are on every answer: the app, its modules, redirects, readiness and errors', async () => {
      const answers: [string, Response][] = [
        ['page', await fetch(`${running.url}/console/`)],
        ['client route', await fetch(`${running.url}/console/cases/x`)],
        ['module', await fetch(`${running.url}/console/app.mjs`)],
        ['stylesheet', await fetch(`${running.url}/console/styles.css`)],
        ['redirect', await fetch(`${running.url}/`, { redirect: 'manual' })],
        ['readiness', await fetch(`${running.url}/ready`)],
        ['not found', await fetch(`${running.url}/elsewhere`)],
        ['wrong method', await fetch(`${running.url}/console/`, { method: 'POST' })],
        ['unknown service', await fetch(`${running.url}/api/other/x`)],
      ];
      for (const [what, response] of answers) {
        await response.arrayBuffer();
        expectSecurityHeaders(response, what);
      }
      expect(answers[0][1].headers.get('cache-control')).toBe('no-cache');
      expect(answers[6][1].headers.get('cache-control')).toBe('no-store');
    });

    it('are on proxied API answers, which are never cached, and on the gateway error when a service is down', async () => {
      const answer = await fetch(`${running.url}/api/nat/cases`, { headers: { authorization: 'Bearer k-1' } });
      await answer.text();
      expectSecurityHeaders(answer, 'proxied');
      expect(answer.headers.get('cache-control')).toBe('no-store');
      const down = await startConsoleServer({ port: 0, upstreams: { ingest: 'http://127.0.0.1:9', scoring: 'http://127.0.0.1:9', nat: 'http://127.0.0.1:9', audit: 'http://127.0.0.1:9' } });
      try {
        const failed = await fetch(`${down.url}/api/audit/reports/sla`);
        expect(failed.status).toBe(502);
        await failed.text();
        expectSecurityHeaders(failed, 'bad gateway');
        expect(failed.headers.get('cache-control')).toBe('no-store');
      } finally {
        await down.close();
      }
    });

    it('lets the policy forbid inline code: the app has no inline script or style, no eval, no HTML strings', () => {
      const files = loadStaticFiles();
      const html = files.get('index.html')?.body.toString('utf8') ?? '';
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
      expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=|javascript:/i);
      for (const [name, file] of files) {
        if (!name.endsWith('.mjs')) continue;
        const code = file.body.toString('utf8');
        expect([name, code.match(/\b(eval|Function)\s*\(|innerHTML|outerHTML|insertAdjacentHTML|document\.write|setAttribute\(\s*['"](style|on[a-z]+)['"]|['"]?\bstyle['"]?\s*:/g)]).toEqual([name, null]);
      }
    });
  });

  it('has browser code that type-checks against the DOM (tsconfig.web.json)', () => {
    const root = join(__dirname, '..', '..', '..');
    const result = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'apps', 'console', 'tsconfig.web.json')], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 60_000);
});

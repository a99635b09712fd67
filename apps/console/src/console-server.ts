import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import ts from 'typescript';

/**
 * The compliance console's server: the single-page app as static files under `/console/`, and a
 * same-origin proxy `/api/<service>/*` to the four services. The proxy spares the services any
 * CORS configuration: the browser only ever talks to this origin, and the caller's API key is
 * forwarded untouched, so every authorisation decision stays with the service that owns the data.
 */

export const UPSTREAM_NAMES = ['ingest', 'scoring', 'nat', 'audit'] as const;
export type UpstreamName = (typeof UPSTREAM_NAMES)[number];

export interface ConsoleServerOptions {
  port: number;
  host?: string;
  upstreams: Record<UpstreamName, string>;
}

export interface RunningConsole {
  url: string;
  server: Server;
  close(): Promise<void>;
}

interface StaticFile {
  type: string;
  body: Buffer;
}

/**
 * Sent on every answer: the app's files, proxied API answers, redirects and errors alike. The app
 * is plain ES modules and a stylesheet from this origin, with no inline script or style and no
 * `eval`, so the policy allows only 'self' (a spec checks the sources stay that way).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()',
};

const FORWARDED_REQUEST_HEADERS = ['authorization', 'content-type', 'accept'];
const FORWARDED_RESPONSE_HEADERS = ['content-type', 'content-disposition', 'retry-after'];

/** The web sources: beside this file when run from the sources, found from the repository root when run from dist/. */
function webDirectory(): string {
  const candidates = [join(__dirname, 'web'), join(__dirname, '..', '..', '..', '..', 'apps', 'console', 'src', 'web')];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) throw new Error(`console web sources not found (looked in ${candidates.join(', ')})`);
  return found;
}

/**
 * Loads the app once at start: `.mts` modules are transpiled to browser ES modules (type
 * erasure only; `tsconfig.web.json` type-checks them), so there is no bundler and no build
 * step, and the served files never change while the server runs.
 */
export function loadStaticFiles(dir = webDirectory()): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const name of readdirSync(dir)) {
    const source = readFileSync(join(dir, name), 'utf8');
    if (name.endsWith('.mts')) {
      const output = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, isolatedModules: true },
        fileName: name,
      });
      files.set(name.replace(/\.mts$/, '.mjs'), { type: 'text/javascript; charset=utf-8', body: Buffer.from(output.outputText) });
    } else if (name.endsWith('.html')) {
      files.set(name, { type: 'text/html; charset=utf-8', body: Buffer.from(source) });
    } else if (name.endsWith('.css')) {
      files.set(name, { type: 'text/css; charset=utf-8', body: Buffer.from(source) });
    }
  }
  return files;
}

/**
 * Where a path under `/api/<service>` goes on that service, or undefined when it would go
 * anywhere else. `new URL('//host/x', base)` is `http://host/x`: without this check the console
 * was an open proxy to any address its host reaches, answer included. `/metrics` stays out of
 * reach too: services serve it to loopback callers, which the console is.
 */
export function upstreamTarget(base: string, pathAndQuery: string): URL | undefined {
  const path = pathAndQuery.split('?')[0] as string;
  if (!path.startsWith('/') || path.startsWith('//') || path.includes('\\')) return undefined;
  const upstream = new URL(base);
  const target = new URL(pathAndQuery, upstream);
  if (target.origin !== upstream.origin) return undefined;
  if (target.pathname === '/metrics' || target.pathname.startsWith('/metrics/')) return undefined;
  return target;
}

function proxy(request: IncomingMessage, response: ServerResponse, base: string, path: string): void {
  const target = upstreamTarget(base, path);
  if (!target) return void response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not a path of this service"}');
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const upstream = httpRequest(target, { method: request.method, headers }, (answer) => {
    const out: Record<string, string> = {};
    for (const name of FORWARDED_RESPONSE_HEADERS) {
      const value = answer.headers[name];
      if (typeof value === 'string') out[name] = value;
    }
    response.writeHead(answer.statusCode ?? 502, out);
    answer.pipe(response);
  });
  upstream.on('error', (error) => {
    if (response.headersSent) return response.destroy();
    response.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'upstream unreachable', detail: error.message }));
  });
  request.pipe(upstream);
}

export function startConsoleServer(options: ConsoleServerOptions): Promise<RunningConsole> {
  const files = loadStaticFiles();
  const host = options.host ?? '127.0.0.1';
  const server = createServer((request, response) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    // API answers carry case data under the caller's key: never kept by the browser or a proxy.
    response.setHeader('cache-control', 'no-store');
    const url = request.url ?? '/';
    const path = url.split('?')[0];
    const api = /^\/api\/([a-z]+)(\/.*)$/.exec(url);
    if (api) {
      const base = options.upstreams[api[1] as UpstreamName];
      if (!base) return void response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"unknown service"}');
      return proxy(request, response, base, api[2]);
    }
    if (path === '/health' || path === '/ready') {
      return void response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'ok', checks: { static: { ok: true, latencyMs: 0 } } }));
    }
    if (path === '/' || path === '/console') return void response.writeHead(302, { location: '/console/' }).end();
    if (request.method !== 'GET' || !path.startsWith('/console/')) return void response.writeHead(404).end();
    const name = path.slice('/console/'.length);
    // Any other path under /console/ is a client-side route: the app reads it from location.hash.
    const file = files.get(name) ?? files.get('index.html');
    if (!file) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-cache' }).end(file.body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      resolve({
        url: `http://${host}:${port}`,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

import type { AnyEvent } from '@vigie/contracts';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A platform on loopback, for integration tests: it receives takedown webhooks (checking the
 * signature with its own HMAC code, not Vigie's), executes each command once whatever the
 * number of deliveries, and serves its ads' pages, which go away when a takedown is executed.
 * It can be told to fail (an HTTP status), hang (never answer) or refuse connections.
 */

export interface WebhookCall {
  receivedAt: number;
  /** X-Vigie-Command-Id. */
  commandId: string | null;
  attempt: number | null;
  signatureValid: boolean;
  event: AnyEvent | null;
  body: string;
  headers: IncomingHttpHeaders;
  /** What the platform answered; null while hanging or when the call was cut. */
  answeredStatus: number | null;
}

export type PlatformBehaviour = { mode: 'ok' } | { mode: 'fail'; status: number } | { mode: 'hang' };
export type AdPage = 'live' | 'not-found' | 'gone' | { redirect: string };

export interface FakePlatform {
  readonly url: string;
  readonly webhookUrl: string;
  /** `127.0.0.1:<port>`: the verification probe's breaker key. */
  readonly host: string;
  adUrl(adId: string): string;
  /** Every webhook call, in arrival order. */
  readonly calls: WebhookCall[];
  /** Commands executed, by id: the first accepted call of each (later ones are recognised as repeats). */
  readonly executed: Map<string, WebhookCall>;
  /** Ad page requests (path and answered status), for probe assertions. */
  readonly pageRequests: { adId: string; status: number; at: number }[];
  setSecret(secret: string): void;
  behave(behaviour: PlatformBehaviour): void;
  /** What the page of an executed takedown answers (default `gone`); `null` leaves it live (a platform that says it removed but did not). */
  removalPage(page: AdPage | null): void;
  setAd(adId: string, page: AdPage): void;
  /** Closes the listening socket (connections are refused) until `acceptConnections`. */
  refuseConnections(): Promise<void>;
  acceptConnections(): Promise<void>;
  /** Webhook calls for one command. */
  callsFor(commandId: string): WebhookCall[];
  close(): Promise<void>;
}

export async function startFakePlatform(options: { secret?: string } = {}): Promise<FakePlatform> {
  let secret = options.secret ?? '';
  let behaviour: PlatformBehaviour = { mode: 'ok' };
  let removal: AdPage | null = 'gone';
  const pages = new Map<string, AdPage>();
  const calls: WebhookCall[] = [];
  const executed = new Map<string, WebhookCall>();
  const pageRequests: FakePlatform['pageRequests'] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();

  const verify = (headers: IncomingHttpHeaders, body: string): boolean => {
    const timestamp = headers['x-vigie-timestamp'];
    const signature = headers['x-vigie-signature'];
    if (typeof timestamp !== 'string' || typeof signature !== 'string' || !secret) return false;
    if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
    const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`);
    const received = Buffer.from(signature);
    return expected.length === received.length && timingSafeEqual(expected, received);
  };

  const onWebhook = (request: IncomingMessage, response: ServerResponse, body: string) => {
    let event: AnyEvent | null = null;
    try {
      event = JSON.parse(body) as AnyEvent;
    } catch {
      // recorded as is
    }
    const commandHeader = request.headers['x-vigie-command-id'];
    const attemptHeader = request.headers['x-vigie-attempt'];
    const call: WebhookCall = {
      receivedAt: Date.now(),
      commandId: typeof commandHeader === 'string' ? commandHeader : null,
      attempt: typeof attemptHeader === 'string' ? Number(attemptHeader) : null,
      signatureValid: verify(request.headers, body),
      event,
      body,
      headers: request.headers,
      answeredStatus: null,
    };
    calls.push(call);
    const answer = (status: number, payload: unknown) => {
      call.answeredStatus = status;
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    };
    if (behaviour.mode === 'hang') {
      hanging.add(response);
      response.on('close', () => hanging.delete(response));
      return;
    }
    if (behaviour.mode === 'fail') return answer(behaviour.status, { error: 'platform failing on purpose' });
    if (!call.signatureValid) return answer(401, { error: 'bad signature' });
    const commandId = call.commandId ?? '';
    // A repeat of a command already executed is acknowledged without executing it again.
    if (executed.has(commandId)) return answer(200, { status: 'already-executed', commandId });
    executed.set(commandId, call);
    const data = (event?.data ?? {}) as { platformAdId?: string };
    if (data.platformAdId) {
      if (event?.type === 'takedown.requested' && removal !== null) pages.set(data.platformAdId, removal);
      if (event?.type === 'reinstatement.requested') pages.set(data.platformAdId, 'live');
    }
    return answer(202, { status: 'accepted', commandId });
  };

  const onPage = (adId: string, response: ServerResponse) => {
    const page = pages.get(adId) ?? 'live';
    const status = page === 'live' ? 200 : page === 'not-found' ? 404 : page === 'gone' ? 410 : 302;
    pageRequests.push({ adId, status, at: Date.now() });
    if (typeof page === 'object') {
      response.writeHead(302, { location: page.redirect }).end();
      return;
    }
    response.writeHead(status, { 'content-type': 'text/html' }).end(page === 'live' ? `<h1>Annonce ${adId}</h1>` : '<h1>Annonce retirée</h1>');
  };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = (request.url ?? '/').split('?')[0];
      if (request.method === 'POST' && path === '/webhook') return onWebhook(request, response, Buffer.concat(chunks).toString('utf8'));
      const page = /^\/ads\/([^/]+)$/.exec(path);
      if (request.method === 'GET' && page) return onPage(decodeURIComponent(page[1]), response);
      response.writeHead(404).end();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const response of hanging) response.destroy();
      for (const socket of sockets) socket.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });

  const port = await listen(0);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    webhookUrl: `${url}/webhook`,
    host: `127.0.0.1:${port}`,
    adUrl: (adId) => `${url}/ads/${encodeURIComponent(adId)}`,
    calls,
    executed,
    pageRequests,
    setSecret: (value) => {
      secret = value;
    },
    behave: (value) => {
      behaviour = value;
      // Calls left hanging by a previous behaviour are cut, as a restarting platform would.
      if (value.mode !== 'hang') for (const response of hanging) response.destroy();
    },
    removalPage: (page) => {
      removal = page;
    },
    setAd: (adId, page) => {
      pages.set(adId, page);
    },
    refuseConnections: stop,
    acceptConnections: async () => {
      if (!server.listening) await listen(port);
    },
    callsFor: (commandId) => calls.filter((call) => call.commandId === commandId),
    close: stop,
  };
}

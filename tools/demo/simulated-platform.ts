import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, signedByVigie } from '../support/platform-webhook';

/**
 * A classified-ad platform for the demo, on loopback: it serves its ads' pages (so Vigie's
 * verification probe has something to check), receives signed takedown commands on its
 * webhook, executes each command once after a realistic delay, confirms it to Vigie, and
 * can go down for a while (the breaker opens, commands wait, nothing is lost).
 */
export interface SimulatedPlatform {
  readonly url: string;
  readonly webhookUrl: string;
  adUrl(adId: string): string;
  /** Configure once the platform is registered: its webhook secret and how to confirm. */
  connect(options: { webhookSecret: string; confirm: (command: TakedownCommand) => Promise<void> }): void;
  /** Answers 503 to webhook calls for this long. */
  outage(ms: number): void;
  readonly stats: { commandsReceived: number; executed: number; rejectedSignatures: number; refusedDuringOutage: number };
  close(): Promise<void>;
}

export interface TakedownCommand {
  commandId: string;
  action: 'remove' | 'disable' | 'restrict' | 'reinstate';
  platformAdId: string;
}

export async function startSimulatedPlatform(options: { executionDelayMs: [number, number] }): Promise<SimulatedPlatform> {
  const removed = new Set<string>();
  const executed = new Set<string>();
  const stats = { commandsReceived: 0, executed: 0, rejectedSignatures: 0, refusedDuringOutage: 0 };
  let secret = '';
  let confirm: ((command: TakedownCommand) => Promise<void>) | undefined;
  let downUntil = 0;
  const timers = new Set<NodeJS.Timeout>();

  const server: Server = createServer((request, response) => {
    void (async () => {
      const path = (request.url ?? '/').split('?')[0] as string;
      if (request.method === 'GET' && path.startsWith('/ads/')) {
        const adId = decodeURIComponent(path.slice(5));
        if (removed.has(adId)) {
          response.writeHead(410, { 'content-type': 'text/html' }).end('<p>Cette annonce a été retirée.</p>');
        } else {
          response.writeHead(200, { 'content-type': 'text/html' }).end(`<h1>Annonce ${adId}</h1>`);
        }
        return;
      }
      if (request.method === 'POST' && path === '/vigie/takedown') {
        const body = await readBody(request);
        if (Date.now() < downUntil) {
          stats.refusedDuringOutage += 1;
          response.writeHead(503).end();
          return;
        }
        if (!signedByVigie(secret, request.headers, body)) {
          stats.rejectedSignatures += 1;
          response.writeHead(401).end();
          return;
        }
        stats.commandsReceived += 1;
        const event = JSON.parse(body) as { type: string; data: TakedownCommand };
        const command: TakedownCommand = {
          commandId: event.data.commandId,
          action: event.type === 'reinstatement.requested' ? 'reinstate' : event.data.action,
          platformAdId: event.data.platformAdId,
        };
        response.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}');
        // The same command may come again (retries): it is executed once.
        if (executed.has(command.commandId)) return;
        executed.add(command.commandId);
        const [min, max] = options.executionDelayMs;
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (command.action === 'reinstate') removed.delete(command.platformAdId);
          else removed.add(command.platformAdId);
          stats.executed += 1;
          void confirm?.(command).catch(() => undefined);
        }, min + Math.random() * (max - min));
        timers.add(timer);
        return;
      }
      response.writeHead(404).end();
    })().catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    webhookUrl: `${url}/vigie/takedown`,
    adUrl: (adId) => `${url}/ads/${encodeURIComponent(adId)}`,
    connect(connection) {
      secret = connection.webhookSecret;
      confirm = connection.confirm;
    },
    outage(ms) {
      downUntil = Date.now() + ms;
    },
    stats,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

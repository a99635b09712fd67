import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readBody, signedByVigie } from '../support/platform-webhook';
import { sleep } from './http';

/**
 * The platform of the fault tests, on loopback. It checks each takedown webhook's HMAC
 * signature with its own code, executes a command the first time its id arrives and only
 * then (a repeat is acknowledged, not executed again), confirms the execution to Vigie (and
 * keeps retrying until Vigie has it: a killed service is not an excuse to forget a removal),
 * and serves its ads' pages so Vigie's verification probe can see them gone.
 * Its webhook can be taken down: it then answers 503 to every call.
 */

export interface CommandEffect {
  readonly commandId: string;
  readonly type: string;
  readonly action: string;
  readonly adId: string;
  readonly executedAt: number;
  /** Webhook calls that carried this command id (1 when it was never repeated). */
  deliveries: number;
  confirmedAt: number | null;
  confirmAttempts: number;
  confirmError: string | null;
}

export interface PlatformStats {
  webhookCalls: number;
  refusedWhileDown: number;
  badSignatures: number;
  /** Calls repeating a command already executed (acknowledged without executing it again). */
  repeatedDeliveries: number;
  /** Executions per ad (an ad removed twice by two different commands would show 2). */
  readonly executionsByAd: Map<string, number>;
}

export interface LoopbackPlatform {
  readonly url: string;
  readonly webhookUrl: string;
  adUrl(adId: string): string;
  /** Once registered: the webhook secret and how to confirm a command to Vigie (returns the HTTP status). */
  connect(options: { secret: string; confirm: (effect: CommandEffect) => Promise<number> }): void;
  /** Takes the webhook down (503) or brings it back. */
  setWebhookDown(down: boolean): void;
  readonly webhookDown: boolean;
  /** Every command executed, by id. */
  readonly effects: ReadonlyMap<string, CommandEffect>;
  readonly stats: PlatformStats;
  /** Confirmations still being retried. */
  pendingConfirmations(): number;
  close(): Promise<void>;
}

export async function startLoopbackPlatform(): Promise<LoopbackPlatform> {
  const effects = new Map<string, CommandEffect>();
  const removedAds = new Set<string>();
  const stats: PlatformStats = { webhookCalls: 0, refusedWhileDown: 0, badSignatures: 0, repeatedDeliveries: 0, executionsByAd: new Map() };
  const sockets = new Set<Socket>();
  let secret = '';
  let confirm: ((effect: CommandEffect) => Promise<number>) | undefined;
  let down = false;
  let closed = false;
  let confirming = 0;

  /** Confirms until Vigie answers 2xx (or says the command is not ours to confirm: 4xx). */
  const confirmUntilDone = async (effect: CommandEffect) => {
    confirming += 1;
    try {
      for (let attempt = 1; !closed; attempt++) {
        effect.confirmAttempts = attempt;
        let status = 0;
        try {
          status = (await confirm?.(effect)) ?? 0;
        } catch (error) {
          effect.confirmError = (error as Error).message;
        }
        if (status >= 200 && status < 300) {
          effect.confirmedAt = Date.now();
          effect.confirmError = null;
          return;
        }
        if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
          effect.confirmError = `Vigie answered ${status}`;
          return;
        }
        await sleep(Math.min(5000, 200 * 2 ** Math.min(attempt, 5)));
      }
    } finally {
      confirming -= 1;
    }
  };

  const server: Server = createServer((request, response) => {
    void (async () => {
      const path = (request.url ?? '/').split('?')[0] as string;
      if (request.method === 'GET' && path.startsWith('/ads/')) {
        const adId = decodeURIComponent(path.slice(5));
        if (removedAds.has(adId)) response.writeHead(410, { 'content-type': 'text/html' }).end('<p>Annonce retirée.</p>');
        else response.writeHead(200, { 'content-type': 'text/html' }).end(`<h1>Annonce ${adId}</h1>`);
        return;
      }
      if (request.method === 'POST' && path === '/webhook') {
        const body = await readBody(request);
        stats.webhookCalls += 1;
        if (down) {
          stats.refusedWhileDown += 1;
          response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"maintenance"}');
          return;
        }
        if (!signedByVigie(secret, request.headers, body)) {
          stats.badSignatures += 1;
          response.writeHead(401).end();
          return;
        }
        const event = JSON.parse(body) as { type: string; data: { commandId: string; action?: string; platformAdId: string } };
        const commandId = event.data.commandId;
        const known = effects.get(commandId);
        if (known) {
          // The same command again (a retry after a lost answer): acknowledged, not executed twice.
          known.deliveries += 1;
          stats.repeatedDeliveries += 1;
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'already-executed', commandId }));
          return;
        }
        const effect: CommandEffect = {
          commandId,
          type: event.type,
          action: event.type === 'reinstatement.requested' ? 'reinstate' : (event.data.action ?? 'remove'),
          adId: event.data.platformAdId,
          executedAt: Date.now(),
          deliveries: 1,
          confirmedAt: null,
          confirmAttempts: 0,
          confirmError: null,
        };
        effects.set(commandId, effect);
        stats.executionsByAd.set(effect.adId, (stats.executionsByAd.get(effect.adId) ?? 0) + 1);
        if (effect.action === 'reinstate') removedAds.delete(effect.adId);
        else removedAds.add(effect.adId);
        response.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'accepted', commandId }));
        void confirmUntilDone(effect);
        return;
      }
      response.writeHead(404).end();
    })().catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    webhookUrl: `${url}/webhook`,
    adUrl: (adId) => `${url}/ads/${encodeURIComponent(adId)}`,
    connect(options) {
      secret = options.secret;
      confirm = options.confirm;
    },
    setWebhookDown(value) {
      down = value;
    },
    get webhookDown() {
      return down;
    },
    effects,
    stats,
    pendingConfirmations: () => confirming,
    async close() {
      closed = true;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

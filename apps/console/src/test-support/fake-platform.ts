import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';

/**
 * A classified-ad platform on loopback: it records the takedown webhooks it receives (with
 * whether Vigie's signature matches its secret), and its ad pages answer 410 once taken down,
 * so Vigie's independent verification can see the removal.
 */
export interface ReceivedCommand {
  commandId: string;
  signatureValid: boolean;
  type: string;
  platformAdId: string;
  receivedAt: string;
}

export interface LoopbackPlatform {
  readonly url: string;
  readonly webhookUrl: string;
  readonly received: ReceivedCommand[];
  adUrl(adId: string): string;
  setSecret(secret: string): void;
  close(): Promise<void>;
}

export async function startLoopbackPlatform(): Promise<LoopbackPlatform> {
  let secret = '';
  const received: ReceivedCommand[] = [];
  const removed = new Set<string>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = (request.url ?? '/').split('?')[0];
      if (request.method === 'POST' && path === '/webhook') {
        const body = Buffer.concat(chunks).toString('utf8');
        const timestamp = String(request.headers['x-vigie-timestamp'] ?? '');
        const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
        const event = JSON.parse(body) as { type: string; data: { platformAdId: string } };
        const commandId = String(request.headers['x-vigie-command-id'] ?? '');
        const signatureValid = secret !== '' && request.headers['x-vigie-signature'] === expected;
        if (!received.some((command) => command.commandId === commandId)) {
          received.push({ commandId, signatureValid, type: event.type, platformAdId: event.data.platformAdId, receivedAt: new Date().toISOString() });
        }
        if (signatureValid && event.type === 'takedown.requested') removed.add(event.data.platformAdId);
        response.writeHead(signatureValid ? 202 : 401, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      const ad = /^\/ads\/([^/]+)$/.exec(path);
      if (request.method === 'GET' && ad) {
        const gone = removed.has(decodeURIComponent(ad[1]));
        response.writeHead(gone ? 410 : 200, { 'content-type': 'text/html' }).end(gone ? 'removed' : 'live');
        return;
      }
      response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    webhookUrl: `${url}/webhook`,
    received,
    adUrl: (adId) => `${url}/ads/${encodeURIComponent(adId)}`,
    setSecret: (value) => {
      secret = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

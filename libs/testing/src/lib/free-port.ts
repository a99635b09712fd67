import { createServer, type AddressInfo } from 'node:net';

/**
 * A loopback port the OS says is free right now. Tests take their ports from here: a guessed
 * port in the ephemeral range can already be held by any outgoing connection on the machine.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

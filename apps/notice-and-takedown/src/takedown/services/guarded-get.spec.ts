import { createServer, type Server } from 'node:http';
import { guardedGet, isPrivateAddress, PrivateAddressError } from './guarded-get';

describe('isPrivateAddress', () => {
  it('names loopback, private, link-local and reserved addresses, in both families', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1']) {
      expect([address, isPrivateAddress(address)]).toEqual([address, true]);
    }
  });

  it('lets public addresses through', () => {
    for (const address of ['203.0.113.7', '8.8.8.8', '172.32.0.1', '2001:db8::1', '2a00:1450:4007::71', '::ffff:8.8.8.8']) {
      expect([address, isPrivateAddress(address)]).toEqual([address, false]);
    }
  });
});

describe('guardedGet', () => {
  let server: Server;
  let port = 0;
  const headers = { 'user-agent': 'vigie-removal-verifier' };
  const signal = () => AbortSignal.timeout(5000);

  beforeAll(async () => {
    server = createServer((_request, response) => response.writeHead(301, { location: '/elsewhere' }).end('moved'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('refuses a private address given as a literal, and one a name resolves to, unless allowed', async () => {
    await expect(guardedGet(`http://127.0.0.1:${port}/ad/1`, { headers, signal: signal(), allowPrivateAddresses: false })).rejects.toBeInstanceOf(PrivateAddressError);
    await expect(guardedGet(`http://[::1]:${port}/ad/1`, { headers, signal: signal(), allowPrivateAddresses: false })).rejects.toBeInstanceOf(PrivateAddressError);
    await expect(guardedGet(`http://localhost:${port}/ad/1`, { headers, signal: signal(), allowPrivateAddresses: false })).rejects.toBeInstanceOf(PrivateAddressError);
  });

  it('reads the status and Location, redirects not followed, when allowed', async () => {
    expect(await guardedGet(`http://127.0.0.1:${port}/ad/1`, { headers, signal: signal(), allowPrivateAddresses: true })).toEqual({ statusCode: 301, location: '/elsewhere' });
    expect(await guardedGet(`http://localhost:${port}/ad/1`, { headers, signal: signal(), allowPrivateAddresses: true })).toEqual({ statusCode: 301, location: '/elsewhere' });
  });

  it('gives up when its signal aborts', async () => {
    const hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', () => resolve()));
    const address = hanging.address();
    try {
      const timeout = AbortSignal.timeout(100);
      await expect(guardedGet(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`, { headers, signal: timeout, allowPrivateAddresses: true })).rejects.toThrow();
      expect(timeout.aborted).toBe(true);
    } finally {
      hanging.closeAllConnections();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    }
  });
});

import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses a removal probe must not reach unless the operator allows it: loopback, private
 * networks (RFC 1918, unique-local), link-local (cloud metadata services live there), shared,
 * benchmarking, multicast and reserved ranges. An ad's address comes from a platform; without
 * this, a platform could make Vigie send GETs into the network Vigie runs in.
 */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/** Whether `address` (an IP literal) is outside the public internet. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return NOT_PUBLIC.check(address, 'ipv4');
  if (family !== 6) return false;
  const lower = address.toLowerCase();
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-translated forms carry an IPv4 address.
  const mapped = /^::ffff:(?:0:)?(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return NOT_PUBLIC.check(mapped[1] as string, 'ipv4');
  return NOT_PUBLIC.check(lower, 'ipv6');
}

export class PrivateAddressError extends Error {
  readonly code = 'EPRIVATEADDRESS';

  constructor(host: string, address: string) {
    super(`${host} is at ${address}, not a public address (NAT_VERIFY_PRIVATE_ADDRESSES=allow lets probes reach it)`);
    this.name = 'PrivateAddressError';
  }
}

export interface GuardedGetOptions {
  headers: Record<string, string>;
  signal: AbortSignal;
  /** Let the probe reach loopback and private networks (a test rig, a platform on the same network). */
  allowPrivateAddresses: boolean;
}

/**
 * One GET, redirects not followed, the body discarded: the status and `Location` are all a probe
 * reads. The address is checked where the connection is made (the socket's own DNS lookup), so
 * a name that resolves to a public address when checked and to a private one when connecting
 * cannot get through.
 */
export function guardedGet(url: string, options: GuardedGetOptions): Promise<{ statusCode: number; location: string | null }> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (!options.allowPrivateAddresses && isIP(host) !== 0 && isPrivateAddress(host)) {
    return Promise.reject(new PrivateAddressError(host, host));
  }
  const lookup = (hostname: string, lookupOptions: object, callback: (...args: unknown[]) => void): void => {
    dnsLookup(hostname, { ...(lookupOptions as LookupAllOptions), all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error);
      const refused = options.allowPrivateAddresses ? undefined : addresses.find((entry) => isPrivateAddress(entry.address));
      if (refused) return callback(new PrivateAddressError(hostname, refused.address));
      if ((lookupOptions as { all?: boolean }).all) return callback(null, addresses);
      const [first] = addresses;
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }));
      callback(null, first.address, first.family);
    });
  };
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(target, { method: 'GET', headers: options.headers, signal: options.signal, lookup: lookup as never }, (response: IncomingMessage) => {
      response.resume();
      const location = response.headers.location;
      resolve({ statusCode: response.statusCode ?? 0, location: typeof location === 'string' ? location : null });
    });
    request.on('error', reject);
    request.end();
  });
}

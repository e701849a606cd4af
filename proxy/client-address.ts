import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import proxyaddr from 'proxy-addr';

/** Where a request comes from, as the login throttle counts it and CouchDB's own lockout is told. */
export type ClientAddressOf = (req: IncomingMessage) => string | undefined;

/**
 * The client's address: the connection's, unless that is a trusted reverse proxy (a TLS
 * terminator in front of this one), whose `X-Forwarded-For` then names the client. proxy-addr
 * (Express's own `trust proxy`) reads the header from the right past trusted hops only, so what
 * a client wrote itself there is never believed. An entry that is not an address leaves the last
 * trusted hop as the client.
 *
 * `trusted`: addresses and CIDR ranges (`10.0.0.0/8`, `::1`), as `parseTrustedProxies` checks them.
 */
export function clientAddressOf(trusted: readonly string[]): ClientAddressOf {
  const trust = proxyaddr.compile([...trusted]);
  return (req) => {
    if (!req.socket?.remoteAddress) return undefined;
    const hops = proxyaddr.all(req, trust);
    const client = hops.at(-1)!;
    return plainAddress(isIP(client) ? client : hops.at(-2));
  };
}

/**
 * FIELDBOOK_TRUSTED_PROXIES: comma-separated addresses and CIDR ranges of reverse proxies in
 * front of this one; none when unset or empty. Anything else is refused in one sentence.
 */
export function parseTrustedProxies(text: string | undefined, setting = 'FIELDBOOK_TRUSTED_PROXIES'): string[] {
  const entries = (text ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const wrong = entries.find((entry) => !isAddressOrRange(entry));
  if (wrong !== undefined) {
    throw new Error(`${setting} must list addresses or CIDR ranges (10.0.0.0/8, ::1), separated by commas; "${wrong}" is neither.`);
  }
  return entries;
}

function isAddressOrRange(entry: string): boolean {
  // proxy-addr also knows names ("loopback"): a setting lists addresses only.
  if (isIP(entry.split('/')[0]!) === 0) return false;
  try {
    proxyaddr.compile(entry);
    return true;
  } catch {
    return false;
  }
}

/** An IPv4 client as IPv4, also on a dual-stack socket (`::ffff:192.0.2.1`). */
export function plainAddress(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address;
}

/**
 * What a client address counts as: an IPv4 address itself (also written IPv4-mapped), an IPv6
 * one by its first 64 bits, since a subscriber gets a whole /64 and could take a new address
 * for every guess.
 */
export function addressKey(address: string | undefined): string {
  const plain = plainAddress(address);
  if (!plain) return '';
  const bare = plain.split('%')[0]!;
  if (!ipaddr.IPv6.isValid(bare)) return plain;
  const groups = ipaddr.IPv6.parse(bare).parts.slice(0, 4);
  return `${groups.map((group) => group.toString(16)).join(':')}::/64`;
}

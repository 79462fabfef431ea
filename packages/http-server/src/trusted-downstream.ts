import { BlockList, isIP } from 'node:net';

/**
 * The set of proxy addresses whose `X-Forwarded-*` / `X-Real-Ip` headers are believed: single addresses or CIDR
 * blocks, IPv4 and IPv6. An IPv4-mapped IPv6 peer (`::ffff:10.0.0.1`, what a dual-stack listener reports) is
 * checked as its IPv4 address.
 */
export class TrustedDownstream {
  readonly #list = new BlockList();

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const slash = entry.indexOf('/');
      const address = slash === -1 ? entry : entry.slice(0, slash);
      const family = isIP(address);
      if (family === 0)
        throw new TypeError(`trustedDownstream: ${JSON.stringify(entry)} is not an IP address or CIDR`);
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (slash === -1) {
        this.#list.addAddress(address, type);
        continue;
      }
      const prefix = Number(entry.slice(slash + 1));
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
        throw new TypeError(`trustedDownstream: ${JSON.stringify(entry)} has an invalid prefix length`);
      }
      this.#list.addSubnet(address, prefix, type);
    }
  }

  /** Whether `address` (as a socket or header reports it) is a trusted proxy. */
  has(address: string): boolean {
    const family = isIP(address);
    if (family === 4) return this.#list.check(address, 'ipv4');
    if (family !== 6) return false;
    if (address.startsWith('::ffff:') && isIP(address.slice(7)) === 4) {
      return this.#list.check(address.slice(7), 'ipv4');
    }
    return this.#list.check(address, 'ipv6');
  }
}

/** The last comma-separated item of a header value, trimmed. */
function lastItem(value: string): string {
  const comma = value.lastIndexOf(',');
  return (comma === -1 ? value : value.slice(comma + 1)).trim();
}

/** Finds a header's values (case-insensitive) in a flat `[name, value, …]` list, joined with `,`. */
function headerValue(rawHeaders: readonly string[], lowerName: string): string | undefined {
  let found: string | undefined;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index]!;
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) {
      found = found === undefined ? rawHeaders[index + 1]! : `${found},${rawHeaders[index + 1]!}`;
    }
  }
  return found;
}

/**
 * The client address behind trusted proxies (Tornado's `_ProxyAdapter`): walk `X-Forwarded-For` from the right,
 * skipping trusted hops, and take the first untrusted address; `X-Real-Ip` overrides it. Only valid IPs are kept.
 */
export function forwardedRemoteIp(
  rawHeaders: readonly string[],
  peer: string,
  trusted: TrustedDownstream,
): string {
  let remoteIp = peer;
  const forwardedFor = headerValue(rawHeaders, 'x-forwarded-for');
  if (forwardedFor !== undefined) {
    const hops = forwardedFor.split(',');
    for (let index = hops.length - 1; index >= 0; index--) {
      const hop = hops[index]!.trim();
      if (isIP(hop) === 0) break;
      remoteIp = hop;
      if (!trusted.has(hop)) break;
    }
  }
  const realIp = headerValue(rawHeaders, 'x-real-ip')?.trim();
  if (realIp !== undefined && isIP(realIp) !== 0) remoteIp = realIp;
  return remoteIp;
}

/** The scheme a trusted proxy reports: the last item of `X-Scheme`, else of `X-Forwarded-Proto`; http/https only. */
export function forwardedProtocol(rawHeaders: readonly string[], fallback: string): string {
  const value = headerValue(rawHeaders, 'x-scheme') ?? headerValue(rawHeaders, 'x-forwarded-proto');
  if (value === undefined) return fallback;
  const protocol = lastItem(value).toLowerCase();
  return protocol === 'http' || protocol === 'https' ? protocol : fallback;
}

/** `--bind` addresses: `HOST:PORT`, `[IPv6]:PORT` or `unix:PATH` (gunicorn's forms). */
import { isIP } from 'node:net';

export type BindAddress =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string };

function port(text: string, whole: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new RangeError(`"${whole}": the port must be a number from 0 to 65535`);
  }
  return Number(text);
}

/** Parses one `--bind` value; throws a `RangeError` that says which forms are accepted. */
export function parseBindAddress(text: string): BindAddress {
  if (text.startsWith('unix:')) {
    const path = text.slice('unix:'.length);
    if (path === '') throw new RangeError(`"${text}": give the socket's path, e.g. unix:/run/tsgi.sock`);
    return { kind: 'unix', path };
  }
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (bracketed) {
    if (isIP(bracketed[1]!) !== 6) throw new RangeError(`"${text}": ${bracketed[1]} is not an IPv6 address`);
    return { kind: 'tcp', host: bracketed[1]!, port: port(bracketed[2]!, text) };
  }
  const separator = text.lastIndexOf(':');
  const host = text.slice(0, separator);
  if (separator <= 0 || host.includes(':')) {
    throw new RangeError(`"${text}" is not an address: use HOST:PORT, [IPv6]:PORT or unix:PATH`);
  }
  return { kind: 'tcp', host, port: port(text.slice(separator + 1), text) };
}

/** How an address reads in a URL or a log line. */
export function describeBindAddress(address: BindAddress, scheme: string): string {
  if (address.kind === 'unix') return `unix:${address.path}`;
  return `${scheme}://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}

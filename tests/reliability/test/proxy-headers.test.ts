import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EnvironReport, gatewayTarget, serveOnLoopback } from './support/gateway-target.js';
import { request } from './support/hostile-corpus.js';
import { parseResponses } from './support/http-wire.js';
import { exchange } from './support/raw-client.js';

// Proxy headers sent straight to tsgi over loopback: honoured only from a trusted peer, and only in their exact
// names and valid forms.
type Served = Awaited<ReturnType<typeof serveOnLoopback>>;
let trusting: Served;
let untrusting: Served;

beforeAll(async () => {
  trusting = await serveOnLoopback(gatewayTarget, { xheaders: true, trustedDownstream: ['127.0.0.1'] });
  untrusting = await serveOnLoopback(gatewayTarget, { xheaders: true, trustedDownstream: ['10.9.9.9'] });
});
afterAll(async () => {
  await trusting.close();
  await untrusting.close();
});

async function environFor(port: number, headers: string[]): Promise<Record<string, string>> {
  const { data } = await exchange(
    port,
    request('GET / HTTP/1.1', ['Host: a', 'Connection: close', ...headers]),
  );
  const parsed = parseResponses(data);
  expect(parsed.finals.map((response) => response.status)).toEqual([200]);
  return (JSON.parse(parsed.finals[0]!.body.toString()) as EnvironReport).environ;
}

const fromTrustedPeer: [name: string, headers: string[], remoteAddr: string, scheme: string][] = [
  ['X-Forwarded-For from a trusted peer', ['X-Forwarded-For: 1.2.3.4'], '1.2.3.4', 'http'],
  ['rightmost untrusted hop wins', ['X-Forwarded-For: 6.6.6.6, 1.2.3.4'], '1.2.3.4', 'http'],
  ['trusted hops are skipped', ['X-Forwarded-For: 1.2.3.4, 127.0.0.1'], '1.2.3.4', 'http'],
  [
    'repeated X-Forwarded-For lines form one list',
    ['X-Forwarded-For: 6.6.6.6', 'X-Forwarded-For: 1.2.3.4'],
    '1.2.3.4',
    'http',
  ],
  ['X_Forwarded_For (underscore) is not X-Forwarded-For', ['X_Forwarded_For: 6.6.6.6'], '127.0.0.1', 'http'],
  ['x-forwarded-for in lower case is the same header', ['x-forwarded-for: 1.2.3.4'], '1.2.3.4', 'http'],
  ['an invalid address is ignored', ['X-Forwarded-For: not-an-ip'], '127.0.0.1', 'http'],
  ['an address with a port is not an address', ['X-Forwarded-For: 1.2.3.4:80'], '127.0.0.1', 'http'],
  ['an IPv6 address', ['X-Forwarded-For: 2001:db8::1'], '2001:db8::1', 'http'],
  ['X-Real-Ip overrides', ['X-Forwarded-For: 1.2.3.4', 'X-Real-Ip: 5.6.7.8'], '5.6.7.8', 'http'],
  ['an invalid X-Real-Ip is ignored', ['X-Real-Ip: <script>'], '127.0.0.1', 'http'],
  ['X-Forwarded-Proto https', ['X-Forwarded-Proto: https'], '127.0.0.1', 'https'],
  ['X-Scheme https', ['X-Scheme: https'], '127.0.0.1', 'https'],
  [
    'X-Forwarded-Proto other than http/https is ignored',
    ['X-Forwarded-Proto: javascript'],
    '127.0.0.1',
    'http',
  ],
  ['X_Forwarded_Proto (underscore) is ignored', ['X_Forwarded_Proto: https'], '127.0.0.1', 'http'],
];

const fromUntrustedPeer: [name: string, headers: string[]][] = [
  ['X-Forwarded-For', ['X-Forwarded-For: 6.6.6.6']],
  ['X-Real-Ip', ['X-Real-Ip: 6.6.6.6']],
  ['X-Forwarded-For naming the trusted proxy', ['X-Forwarded-For: 6.6.6.6, 10.9.9.9']],
  ['X-Forwarded-Proto', ['X-Forwarded-Proto: https']],
  ['X-Scheme', ['X-Scheme: https']],
];

describe('proxy headers', () => {
  it.each(fromTrustedPeer)('%s', async (_name, headers, remoteAddr, scheme) => {
    const environ = await environFor(trusting.port, headers);
    expect(environ.REMOTE_ADDR).toBe(remoteAddr);
    expect(environ['wsgi.url_scheme']).toBe(scheme);
    expect(environ.HTTPS).toBe(scheme === 'https' ? 'on' : undefined);
  });

  it.each(fromUntrustedPeer)('an untrusted peer cannot spoof with %s', async (_name, headers) => {
    const environ = await environFor(untrusting.port, headers);
    expect(environ.REMOTE_ADDR).toBe('127.0.0.1');
    expect(environ['wsgi.url_scheme']).toBe('http');
    expect(environ.HTTPS).toBeUndefined();
  });
});

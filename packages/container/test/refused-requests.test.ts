// The edges of the request a gateway application can be given, on both executors: what the server refuses before
// the application runs (and that it never runs), and what the application sees for the odd requests it does get.
// `rawExchange` resolves only once the server closed the connection: every exchange here ends that way.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type EdgeServer, executorKinds, serveEdgeApps } from './edge-server.js';
import { rawExchange } from './helpers.js';

const statusOf = (data: string) => Number(/^HTTP\/1\.1 (\d{3}) /.exec(data)?.[1] ?? 0);
/** The JSON the `seen` application answered with (UTF-8 on the wire; `data` holds it as latin-1). */
const seenBy = (data: string) =>
  JSON.parse(Buffer.from(data.slice(data.indexOf('\r\n\r\n') + 4), 'latin1').toString('utf8'));
const close = 'Connection: close\r\n';
const chunkedPost = (trailers: string) =>
  `POST /upload HTTP/1.1\r\nHost: a\r\n${close}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n${trailers}\r\n`;

const refused: [name: string, payload: string, status: number][] = [
  [
    'Transfer-Encoding on HTTP/1.0',
    'POST /upload HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
    400,
  ],
  ['raw UTF-8 in the target', `GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n${close}\r\n`, 400],
  ['a raw latin-1 byte in the query', `GET /?q=\xe9 HTTP/1.1\r\nHost: a\r\n${close}\r\n`, 400],
  ['CONNECT host:port', 'CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n', 405],
  [
    'a request line over limitRequestLine',
    `GET /${'a'.repeat(8200)} HTTP/1.1\r\nHost: a\r\n${close}\r\n`,
    414,
  ],
  [
    'more header fields than limitRequestFields',
    `GET / HTTP/1.1\r\nHost: a\r\n${close}${'X-A: 1\r\n'.repeat(99)}\r\n`,
    431,
  ],
  [
    'a header field over limitRequestFieldSize',
    `GET / HTTP/1.1\r\nHost: a\r\n${close}X-Big: ${'b'.repeat(8200)}\r\n\r\n`,
    431,
  ],
];

describe.each(executorKinds)('%s', (kind) => {
  let served: EdgeServer;
  beforeAll(async () => {
    served = await serveEdgeApps(kind);
  });
  afterAll(() => served.close());
  beforeEach(() => served.reset());

  it.each(refused)('%s: refused before the application runs, and closed', async (_name, payload, status) => {
    const data = await rawExchange(served.port, payload);
    expect(statusOf(data)).toBe(status);
    expect(data).toMatch(/\r\nConnection: close\r\n/i);
    expect(served.calls()).toBe(0);
  });

  it.each([
    'Host: evil',
    'Authorization: Bearer evil',
    'Content-Type: text/evil',
    'Trailer: X-T',
    'Cookie: a=b',
  ])('a forbidden trailer field (%s): 400 and close, and it never reaches the environ', async (line) => {
    const data = await rawExchange(served.port, chunkedPost(`${line}\r\n`));
    expect(statusOf(data)).toBe(400);
    expect(data).toMatch(/\r\nConnection: close\r\n/i);
    // Inline, the body is read before the application is called; on the pool the application's read fails.
    expect(data).not.toMatch(/evil/);
  });

  it('an allowed trailer field is not a header: no HTTP_* key for it', async () => {
    const data = await rawExchange(served.port, chunkedPost('X-Checksum: abc\r\nX-Mine: 1\r\n'));
    expect(statusOf(data)).toBe(200);
    const { http, outcome } = seenBy(data);
    expect(outcome).toBe('read 3');
    expect(http).toEqual({ HTTP_HOST: 'a', HTTP_CONNECTION: 'close' });
  });

  it('a trailer named like a header leaves the header value alone', async () => {
    const data = await rawExchange(
      served.port,
      `POST /upload HTTP/1.1\r\nHost: a\r\n${close}X-Mine: header\r\nTransfer-Encoding: chunked\r\n\r\n` +
        '3\r\nabc\r\n0\r\nX-Mine: trailer\r\n\r\n',
    );
    expect(seenBy(data).http.HTTP_X_MINE).toBe('header');
  });

  it('OPTIONS * reaches the application: PATH_INFO "", SCRIPT_NAME "", REQUEST_URI "*"', async () => {
    const data = await rawExchange(served.port, `OPTIONS * HTTP/1.1\r\nHost: a\r\n${close}\r\n`);
    expect(statusOf(data)).toBe(200);
    expect(seenBy(data)).toMatchObject({ method: 'OPTIONS', scriptName: '', pathInfo: '', requestUri: '*' });
  });

  it('CONNECT gets 405 with an empty Allow (the tunnel target supports no method here)', async () => {
    const data = await rawExchange(served.port, 'CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n');
    expect(data).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    expect(data).toMatch(/\r\nAllow: \r\n/);
  });

  it('percent-encoded UTF-8 reaches PATH_INFO as a latin-1 WSGI string, the raw target in REQUEST_URI', async () => {
    const data = await rawExchange(served.port, `GET /caf%C3%A9 HTTP/1.1\r\nHost: a\r\n${close}\r\n`);
    expect(seenBy(data)).toMatchObject({ pathInfo: '/caf\u00c3\u00a9', requestUri: '/caf%C3%A9' });
  });

  it('a request line and a field at their limits are served', async () => {
    const target = `/${'p'.repeat(8190 - 'GET / HTTP/1.1'.length)}`;
    const line = await rawExchange(served.port, `GET ${target} HTTP/1.1\r\nHost: a\r\n${close}\r\n`);
    expect(seenBy(line).pathInfo).toBe(target);
    const field = await rawExchange(
      served.port,
      `GET / HTTP/1.1\r\nHost: a\r\n${close}X-Big: ${'b'.repeat(8190 - 'X-Big: '.length)}\r\n\r\n`,
    );
    expect(seenBy(field).http.HTTP_X_BIG).toHaveLength(8183);
  });
});

import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Client, request as fetchRequest } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { HTTPServerRequest } from '../src/index.js';
import { rawRequest, serve, statusOf } from './helpers.js';

type Served = Awaited<ReturnType<typeof serve>>;
let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

/** Serves a handler that captures the request, answers 200, and returns what was captured. */
async function capture(
  send: (port: number) => Promise<unknown>,
  options = {},
  inspect: (request: HTTPServerRequest) => unknown = (request) => request,
) {
  let seen: unknown;
  served = await serve(async (request) => {
    seen = await inspect(request);
    await request.connection.respond(200, 'ok');
  }, options);
  await send(served.port);
  return seen as Record<string, unknown>;
}

describe('HTTPServerRequest fields', () => {
  it('exposes the GatewayRequest fields and Tornado fields for a simple GET', async () => {
    const seen = await capture(
      (port) =>
        rawRequest(
          port,
          'GET /a%20b/c?x=1&y=%20 HTTP/1.1\r\nHost: Example.COM:8080\r\nX-A: 1\r\nx-a: 2\r\nCookie: a=1; b="two"\r\nCookie: c=3\r\nConnection: close\r\n\r\n',
        ),
      {},
      (request) => ({
        method: request.method,
        uri: request.uri,
        version: request.version,
        path: request.path,
        query: request.query,
        rawHeaders: request.rawHeaders,
        xa: request.headers.get('X-A'),
        xaList: request.headers.getList('x-A'),
        host: request.host,
        hostName: request.hostName,
        remoteIp: request.remoteIp,
        remotePort: request.remotePort,
        serverIp: request.serverIp,
        serverPort: request.serverPort,
        protocol: request.protocol,
        scriptName: request.scriptName,
        body: request.body,
        bodyLength: request.bodyLength,
        bodyStream: request.bodyStream,
        cookies: { ...request.cookies },
        fullUrl: request.fullUrl(),
        http11: request.supportsHttp11(),
        requestTime: request.requestTime(),
      }),
    );
    expect(seen).toMatchObject({
      method: 'GET',
      uri: '/a%20b/c?x=1&y=%20',
      version: 'HTTP/1.1',
      path: '/a%20b/c',
      query: 'x=1&y=%20',
      xa: '1,2',
      xaList: ['1', '2'],
      host: 'Example.COM:8080',
      hostName: 'example.com',
      remoteIp: '127.0.0.1',
      serverIp: '127.0.0.1',
      serverPort: served!.port,
      protocol: 'http',
      scriptName: undefined,
      bodyLength: 0,
      bodyStream: undefined,
      cookies: { a: '1', b: 'two', c: '3' },
      fullUrl: 'http://Example.COM:8080/a%20b/c?x=1&y=%20',
      http11: true,
    });
    expect(seen.rawHeaders).toEqual([
      'Host',
      'Example.COM:8080',
      'X-A',
      '1',
      'x-a',
      '2',
      'Cookie',
      'a=1; b="two"',
      'Cookie',
      'c=3',
      'Connection',
      'close',
    ]);
    expect((seen.body as Uint8Array).length).toBe(0);
    expect(typeof seen.remotePort).toBe('number');
    expect(seen.requestTime).toBeGreaterThanOrEqual(0);
  });

  it('keeps latin-1 header bytes, strips fragments and absolute-form authority from path', async () => {
    const seen = await capture(
      (port) =>
        rawRequest(
          port,
          'GET http://example.com/foo?q=1#frag HTTP/1.1\r\nHost: [::1]:81\r\nX-L: caf\xE9\r\nConnection: close\r\n\r\n',
        ),
      {},
      (request) => ({
        path: request.path,
        query: request.query,
        hostName: request.hostName,
        xl: request.headers.get('x-l'),
        fullUrl: request.fullUrl(),
      }),
    );
    expect(seen).toEqual({
      path: '/foo',
      query: 'q=1',
      hostName: '[::1]',
      xl: 'caf\u00e9',
      fullUrl: 'http://example.com/foo?q=1#frag',
    });
  });

  it('HTTP/1.0 without Host: host 127.0.0.1, supportsHttp11 false', async () => {
    const seen = await capture(
      (port) => rawRequest(port, 'GET / HTTP/1.0\r\n\r\n'),
      {},
      (request) => ({ host: request.host, version: request.version, http11: request.supportsHttp11() }),
    );
    expect(seen).toEqual({ host: '127.0.0.1', version: 'HTTP/1.0', http11: false });
  });
});

describe('request bodies', () => {
  it('a request without Content-Length or Transfer-Encoding, or with Content-Length: 0, shares one empty body', async () => {
    const bodies: (Uint8Array | undefined)[] = [];
    const lengths: (number | undefined)[] = [];
    served = await serve((request) => {
      bodies.push(request.body);
      lengths.push(request.bodyLength);
      return request.connection.respond(200);
    });
    await rawRequest(
      served.port,
      'GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toBeInstanceOf(Uint8Array);
    expect(bodies[0]!.length).toBe(0);
    expect(bodies[1]).toBe(bodies[0]);
    expect(lengths).toEqual([0, 0]);
  });

  it('streams a Content-Length body; bodyLength is the declared length', async () => {
    const seen = await capture(
      (port) =>
        fetchRequest(`http://127.0.0.1:${port}/`, {
          method: 'POST',
          body: 'hello world',
          headers: { 'content-length': '11' },
        }).then((r) => r.body.text()),
      {},
      async (request) => {
        const before = { body: request.body, bodyLength: request.bodyLength };
        const chunks: Buffer[] = [];
        for await (const chunk of request.bodyStream!) chunks.push(Buffer.from(chunk));
        return { ...before, text: Buffer.concat(chunks).toString() };
      },
    );
    expect(seen).toEqual({ body: undefined, bodyLength: 11, text: 'hello world' });
  });

  it('de-chunks a chunked body; readBody buffers it and sets bodyLength', async () => {
    const seen = await capture(
      (port) =>
        rawRequest(
          port,
          'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
        ),
      {},
      async (request) => {
        const lengthBefore = request.bodyLength;
        const body = await request.readBody();
        return {
          lengthBefore,
          text: Buffer.from(body).toString(),
          bodyLength: request.bodyLength,
          again: request.body === body,
        };
      },
    );
    expect(seen).toEqual({ lengthBefore: undefined, text: 'hello world', bodyLength: 11, again: true });
  });

  it('readBody() after the response finished (node discarded the body by then) settles instead of hanging', async () => {
    let settled: string | undefined;
    let handled!: () => void;
    const finished = new Promise<void>((resolve) => {
      handled = resolve;
    });
    served = await serve(async (request) => {
      await request.connection.respond(200, 'ok');
      await new Promise((resolve) => setTimeout(resolve, 100));
      settled = await Promise.race([
        request.readBody().then(
          (body) => `resolved with ${body.length} bytes`,
          (error: Error) => error.name,
        ),
        new Promise<string>((resolve) => setTimeout(() => resolve('hung'), 1000)),
      ]);
      handled();
    });
    // The client stays connected past the handler's deadline: only the request itself can settle the read.
    const client = rawRequest(
      served.port,
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello',
      1500,
    );
    await finished;
    await client;
    expect(settled).toBe('resolved with 0 bytes');
  });

  it('answers Expect: 100-continue only when the body is first read', async () => {
    let reads = 0;
    served = await serve(async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      reads++;
      const body = await request.readBody();
      await request.connection.respond(200, `got ${Buffer.from(body).toString()}`);
    });
    const { port } = served;
    // How many reads the handler had begun when the interim response arrived (asserted below, not in the
    // socket's callback, where a failed expect would be lost).
    let readsAtContinue: number | undefined;
    const result = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let data = '';
      socket.on('data', (chunk) => {
        data += chunk.toString();
        if (readsAtContinue === undefined && data.includes('100 Continue')) {
          readsAtContinue = reads;
          socket.write('ab');
        }
        if (data.includes('got ab')) socket.end();
      });
      socket.on('close', () => resolve(data));
      socket.write('POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n');
    });
    // The interim response came after the handler started reading, not at once.
    expect(readsAtContinue).toBe(1);
    expect(reads).toBe(1);
    expect(result).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK/);
    expect(result).toContain('got ab');
  });

  it('refuses Expect: 100-continue with a Content-Length over maxBodySize without reading (413)', async () => {
    served = await serve(
      () => {
        throw new Error('must not run');
      },
      { maxBodySize: 10 },
    );
    const { data, closed } = await rawRequest(
      served.port,
      'POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n',
    );
    expect(statusOf(data)).toBe(413);
    expect(data).not.toContain('100 Continue');
    expect(data).toMatch(/connection: close/i);
    expect(closed).toBe(true);
  });

  it('decompressRequest gunzips into body; bodyLength is the decompressed size; header renamed', async () => {
    const plain = Buffer.from('x'.repeat(1000));
    const zipped = gzipSync(plain);
    const seen = await capture(
      (port) =>
        fetchRequest(`http://127.0.0.1:${port}/`, {
          method: 'POST',
          body: zipped,
          headers: { 'content-encoding': 'gzip' },
        }).then((r) => r.body.text()),
      { decompressRequest: true },
      (request) => ({
        length: request.bodyLength,
        body: Buffer.from(request.body!).toString(),
        encoding: request.headers.get('content-encoding'),
        consumed: request.headers.get('x-consumed-content-encoding'),
      }),
    );
    expect(seen).toEqual({ length: 1000, body: plain.toString(), encoding: undefined, consumed: 'gzip' });
  });

  it('decompressRequest: 413 when the decompressed body exceeds maxBodySize, 400 for corrupt gzip', async () => {
    served = await serve((request) => request.connection.respond(200, 'ok'), {
      decompressRequest: true,
      maxBodySize: 500,
    });
    const bomb = gzipSync(Buffer.alloc(10_000));
    const tooLarge = await fetchRequest(`${served.url}/`, {
      method: 'POST',
      body: bomb,
      headers: { 'content-encoding': 'gzip' },
    });
    expect(tooLarge.statusCode).toBe(413);
    await tooLarge.body.dump();
    const corrupt = await fetchRequest(`${served.url}/`, {
      method: 'POST',
      body: 'not gzip at all',
      headers: { 'content-encoding': 'gzip' },
    });
    expect(corrupt.statusCode).toBe(400);
    await corrupt.body.dump();
    const fine = await fetchRequest(`${served.url}/`);
    expect(fine.statusCode).toBe(200);
    await fine.body.dump();
  });

  it('without decompressRequest a gzip body reaches the application untouched', async () => {
    const zipped = gzipSync(Buffer.from('hello'));
    const seen = await capture(
      (port) =>
        fetchRequest(`http://127.0.0.1:${port}/`, {
          method: 'POST',
          body: zipped,
          headers: { 'content-encoding': 'gzip' },
        }).then((r) => r.body.text()),
      {},
      async (request) => ({
        body: Buffer.from(await request.readBody()).equals(zipped),
        encoding: request.headers.get('content-encoding'),
      }),
    );
    expect(seen).toEqual({ body: true, encoding: 'gzip' });
  });

  it('a chunked body over maxBodySize: 413 while counting, the stream throws, the server still serves', async () => {
    let thrown: unknown;
    served = await serve(
      async (request) => {
        try {
          await request.readBody();
          await request.connection.respond(200, 'read it');
        } catch (error) {
          thrown = error;
        }
      },
      { maxBodySize: 8 },
    );
    const { data, closed } = await rawRequest(
      served.port,
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n',
    );
    expect(statusOf(data)).toBe(413);
    expect(closed).toBe(true);
    expect(thrown).toMatchObject({ name: 'HTTPInputError', status: 413 });
    const next = await fetchRequest(`${served.url}/`, { method: 'POST', body: 'small' });
    expect(next.statusCode).toBe(200);
    expect(await next.body.text()).toBe('read it');
  });
});

describe('xheaders and trustedDownstream', () => {
  const proxyHeaders = 'X-Forwarded-For: 203.0.113.9, 10.0.0.2, 127.0.0.1\r\nX-Forwarded-Proto: https\r\n';
  const cases: [name: string, options: object, headers: string, remoteIp: string, protocol: string][] = [
    ['ignores proxy headers by default', {}, proxyHeaders, '127.0.0.1', 'http'],
    [
      'walks X-Forwarded-For from the right past trusted hops when the peer is trusted',
      { xheaders: true, trustedDownstream: ['127.0.0.1', '10.0.0.0/8'] },
      proxyHeaders,
      '203.0.113.9',
      'https',
    ],
    [
      'stops at the first untrusted hop (default: loopback only)',
      { xheaders: true },
      proxyHeaders,
      '10.0.0.2',
      'https',
    ],
    [
      'ignores proxy headers from an untrusted peer even with xheaders',
      { xheaders: true, trustedDownstream: ['10.0.0.0/8', '::1'] },
      proxyHeaders,
      '127.0.0.1',
      'http',
    ],
    [
      'X-Real-Ip overrides; X-Scheme wins over X-Forwarded-Proto',
      { xheaders: true },
      'X-Real-Ip: 2001:db8::1\r\nX-Scheme: https\r\nX-Forwarded-Proto: http\r\n',
      '2001:db8::1',
      'https',
    ],
    [
      'invalid IPs and schemes other than http/https are ignored',
      { xheaders: true },
      'X-Real-Ip: not-an-ip\r\nX-Forwarded-Proto: gopher\r\n',
      '127.0.0.1',
      'http',
    ],
    ['the protocol option forces request.protocol', { protocol: 'https' }, '', '127.0.0.1', 'https'],
  ];

  it.each(cases)('%s', async (_name, options, headers, remoteIp, protocol) => {
    const seen = await capture(
      (port) => rawRequest(port, `GET / HTTP/1.1\r\nHost: a\r\n${headers}Connection: close\r\n\r\n`),
      options,
      (request) => ({ remoteIp: request.remoteIp, protocol: request.protocol }),
    );
    expect(seen).toEqual({ remoteIp, protocol });
  });
});

describe('unix socket', () => {
  it('listens on a Unix socket path', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { HTTPServer } = await import('../src/index.js');
    const path = join(mkdtempSync(join(tmpdir(), 'tsgi-')), 'server.sock');
    const server = new HTTPServer((request) => request.connection.respond(200, `unix ${request.remoteIp}`));
    const address = await server.listen(path);
    expect(address).toEqual({ address: path, port: 0 });
    const client = new Client('http://localhost', { socketPath: path });
    const response = await client.request({ path: '/', method: 'GET' });
    expect(await response.body.text()).toBe('unix 0.0.0.0');
    await client.close();
    await server.close();
  });
});

describe('IPv6', () => {
  it('serves on ::1; the IPv6 loopback peer is trusted by default for xheaders; hostName keeps brackets', async () => {
    const { HTTPServer } = await import('../src/index.js');
    let seen: Record<string, unknown> | undefined;
    const server = new HTTPServer(
      (request) => {
        seen = {
          remoteIp: request.remoteIp,
          protocol: request.protocol,
          serverIp: request.serverIp,
          hostName: request.hostName,
        };
        return request.connection.respond(200);
      },
      { xheaders: true },
    );
    const { address, port } = await server.listen(0, '::1');
    expect(address).toBe('::1');
    const response = await fetchRequest(`http://[::1]:${port}/`, {
      headers: { 'x-forwarded-for': '2001:db8::7', 'x-forwarded-proto': 'https' },
    });
    await response.body.dump();
    await server.close();
    expect(seen).toEqual({ remoteIp: '2001:db8::7', protocol: 'https', serverIp: '::1', hostName: '[::1]' });
  });
});

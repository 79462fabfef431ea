import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delay, rawRequest, serve, statusOf } from './helpers.js';

type Served = Awaited<ReturnType<typeof serve>>;
let served: Served;
const handled: string[] = [];

beforeAll(async () => {
  served = await serve(
    async (request) => {
      handled.push(request.uri);
      await request.readBody();
      await request.connection.respond(200, 'fine');
    },
    {
      maxBodySize: 1000,
      maxHeaderSize: 2048,
      headersTimeout: 600,
      bodyTimeout: 1200,
      idleConnectionTimeout: 600,
    },
  );
});
afterAll(() => served.close());

function connectionCount(): Promise<number> {
  return new Promise((resolve, reject) =>
    served.server.httpServer.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
}

async function expectServerStillAnswers() {
  const { data } = await rawRequest(
    served.port,
    'GET /next HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
  );
  expect(statusOf(data)).toBe(200);
  expect(data.endsWith('fine')).toBe(true);
}

const cases: [name: string, status: number, payload: string, logged: RegExp][] = [
  ['malformed request line', 400, 'GET\r\n\r\n', /400 bad request .*HPE_/],
  ['garbage', 400, '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n', /400 bad request/],
  [
    'HTTP/2.0 in an HTTP/1 request line',
    400,
    'GET / HTTP/2.0\r\nHost: a\r\n\r\n',
    /unsupported HTTP version 2\.0/,
  ],
  [
    'raw non-ASCII bytes in the target',
    400,
    'GET /caf\xC3\xA9 HTTP/1.1\r\nHost: a\r\n\r\n',
    /HPE_INVALID_URL/,
  ],
  [
    'non-numeric Content-Length',
    400,
    'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n',
    /HPE_INVALID_CONTENT_LENGTH/,
  ],
  [
    'signed Content-Length',
    400,
    'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc',
    /HPE_INVALID_CONTENT_LENGTH/,
  ],
  [
    'negative Content-Length',
    400,
    'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n',
    /HPE_INVALID_CONTENT_LENGTH/,
  ],
  [
    'conflicting Content-Lengths',
    400,
    'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc',
    /Duplicate Content-Length/,
  ],
  [
    'repeated equal Content-Lengths',
    400,
    'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab',
    /Duplicate Content-Length/,
  ],
  [
    'Content-Length with Transfer-Encoding',
    400,
    'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    /HPE_/,
  ],
  [
    'Transfer-Encoding gzip',
    400,
    'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n',
    /unsupported Transfer-Encoding "gzip"/,
  ],
  [
    'Transfer-Encoding gzip, chunked',
    400,
    'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
    /unsupported Transfer-Encoding/,
  ],
  [
    'CONNECT (not a proxy)',
    405,
    'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
    /405 CONNECT example\.com:443/,
  ],
  ['CONNECT with an origin-form target', 405, 'CONNECT /a HTTP/1.1\r\nHost: a\r\n\r\n', /405 CONNECT \/a/],
  [
    'Transfer-Encoding on HTTP/1.0',
    400,
    'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
    /400 POST \/ .*Transfer-Encoding in an HTTP\/1\.0 request/,
  ],
  [
    'Transfer-Encoding on HTTP/1.0 asking for keep-alive',
    400,
    'POST / HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    /Transfer-Encoding in an HTTP\/1\.0 request/,
  ],
  ['duplicate Host', 400, 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', /duplicate Host header/],
  ['missing Host on HTTP/1.1', 400, 'GET / HTTP/1.1\r\n\r\n', /missing Host header/],
  [
    'oversized headers',
    431,
    `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(4000)}\r\n\r\n`,
    /431 bad request .*HPE_HEADER_OVERFLOW/,
  ],
  [
    'Content-Length over maxBodySize',
    413,
    'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000000\r\n\r\n',
    /413 POST \/ \(127\.0\.0\.1\): Content-Length 1000000000 exceeds maxBodySize/,
  ],
];

describe('bad input over a raw socket', () => {
  it("CONNECT's 405 carries the Allow header RFC 9110 §15.5.6 requires (empty: the tunnel target has no methods)", async () => {
    const { data } = await rawRequest(served.port, 'CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n');
    expect(data).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n(?:.*\r\n)*Allow: \r\n/);
  });

  it.each(cases)('%s → %i, closed, logged, server still answers', async (_name, status, payload, logged) => {
    const before = served.logger.lines.length;
    const handledBefore = handled.length;
    const { data, closed } = await rawRequest(served.port, payload);
    expect(statusOf(data)).toBe(status);
    expect(data).toMatch(/\r\nConnection: close\r\n/i);
    expect(closed).toBe(true);
    expect(handled.length).toBe(handledBefore);
    const newLines = served.logger.lines.slice(before);
    expect(newLines.map((line) => line.text).join('\n')).toMatch(logged);
    await expectServerStillAnswers();
    await delay(20);
    expect(await connectionCount()).toBe(0);
  });

  it('a bad chunk size after the request reached the application: 400, and reading the body fails', async () => {
    const before = handled.length;
    const { data, closed } = await rawRequest(
      served.port,
      'POST /chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nhello\r\n0\r\n\r\n',
    );
    expect(handled.slice(before)).toEqual(['/chunked']);
    expect(statusOf(data)).toBe(400);
    expect(data).toMatch(/\r\nConnection: close\r\n/i);
    expect(closed).toBe(true);
    expect(served.logger.text()).toMatch(/400 bad request .*HPE_INVALID_CHUNK_SIZE/);
    await expectServerStillAnswers();
  });

  it('a chunked body over maxBodySize gets 413 while counting', async () => {
    const chunk = 'a'.repeat(600);
    const payload = `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n${chunk}\r\n258\r\n${chunk}\r\n0\r\n\r\n`;
    const { data, closed } = await rawRequest(served.port, payload);
    expect(statusOf(data)).toBe(413);
    expect(closed).toBe(true);
    await expectServerStillAnswers();
  });
});

describe('slowloris', () => {
  it('a connection that sends nothing is closed after headersTimeout', async () => {
    const started = Date.now();
    const { closed } = await rawRequest(served.port, '', 5000);
    expect(closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(4500);
    await expectServerStillAnswers();
  });

  /** Sends `head`, then one byte every 50 ms until the server closes the connection. */
  function trickle(head: string): Promise<{ data: string; elapsed: number }> {
    return new Promise((resolve) => {
      const socket = connect(served.port, '127.0.0.1');
      const started = Date.now();
      let data = '';
      socket.write(head);
      const timer = setInterval(() => {
        if (!socket.destroyed) socket.write('a');
      }, 50);
      socket.on('data', (chunk) => {
        data += chunk.toString('latin1');
      });
      socket.on('error', () => {});
      socket.on('close', () => {
        clearInterval(timer);
        resolve({ data, elapsed: Date.now() - started });
      });
    });
  }

  it('headers trickled byte by byte get 408 and a close after headersTimeout', async () => {
    const result = await trickle('GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ');
    expect(statusOf(result.data)).toBe(408);
    expect(result.elapsed).toBeLessThan(5000);
    expect(served.logger.text()).toMatch(/408 bad request .*ERR_HTTP_REQUEST_TIMEOUT/);
    await expectServerStillAnswers();
  });

  it('a body trickled past bodyTimeout gets 408 (nothing was sent yet) and a close', async () => {
    const result = await trickle('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 900\r\n\r\n');
    expect(result.elapsed).toBeLessThan(6000);
    expect(statusOf(result.data)).toBe(408);
    expect(result.data).toMatch(/\r\nConnection: close\r\n/i);
    // The application's body read failed with StreamClosedError: the client's fault, not logged as an app error.
    expect(served.logger.text()).not.toMatch(/Uncaught exception/);
    await expectServerStillAnswers();
    await delay(20);
    expect(await connectionCount()).toBe(0);
  });

  it('an idle keep-alive connection is closed after idleConnectionTimeout', async () => {
    const { data, closed } = await rawRequest(served.port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n', 5000);
    expect(statusOf(data)).toBe(200);
    expect(closed).toBe(true);
  });
});

describe('clients that leave at once', () => {
  it('a refused request whose client already left does not disturb the server', async () => {
    for (let index = 0; index < 20; index++) {
      const socket = connect(served.port, '127.0.0.1');
      socket.on('error', () => {});
      socket.end('GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n');
      socket.destroy();
      const late = connect(served.port, '127.0.0.1');
      late.on('error', () => {});
      late.write('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000\r\n\r\n', () => late.destroy());
    }
    await delay(200);
    await expectServerStillAnswers();
  });
});

describe('an unread chunked body', () => {
  it('that is small is discarded and the connection serves the next request', async () => {
    const quick = await serve((request) => request.connection.respond(200, `ok ${request.path}`), {
      maxBodySize: 10_000,
    });
    try {
      const { data } = await rawRequest(
        quick.port,
        'POST /1 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n' +
          'GET /2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
      );
      expect(data).toMatch(/ok \/1HTTP\/1\.1 200 OK[\s\S]*ok \/2$/);
    } finally {
      await quick.close();
    }
  });

  it('is discarded after the response up to maxBodySize, then the connection is closed', async () => {
    const quick = await serve((request) => request.connection.respond(200, 'did not read'), {
      maxBodySize: 10_000,
    });
    try {
      const result = await new Promise<{ data: string; sent: number }>((resolve) => {
        const socket = connect(quick.port, '127.0.0.1');
        let data = '';
        let sent = 0;
        const chunk = `400\r\n${'z'.repeat(0x400)}\r\n`;
        socket.write('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n');
        const timer = setInterval(() => {
          if (socket.destroyed) return;
          socket.write(chunk);
          sent += 0x400;
        }, 2);
        socket.on('data', (bytes) => {
          data += bytes.toString('latin1');
        });
        socket.on('error', () => {});
        socket.on('close', () => {
          clearInterval(timer);
          resolve({ data, sent });
        });
      });
      expect(statusOf(result.data)).toBe(200);
      expect(result.data.endsWith('did not read')).toBe(true);
      // Closed once roughly maxBodySize was discarded, not after the client gave up.
      expect(result.sent).toBeLessThan(200_000);
    } finally {
      await quick.close();
    }
  });
});

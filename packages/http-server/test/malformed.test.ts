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
  ['duplicate Host', 400, 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', /duplicate Host header/],
  ['missing Host on HTTP/1.1', 400, 'GET / HTTP/1.1\r\n\r\n', /.*/],
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
  it.each(cases)('%s → %i, closed, logged, server still answers', async (_name, status, payload, logged) => {
    const before = served.logger.lines.length;
    const handledBefore = handled.length;
    const { data, closed } = await rawRequest(served.port, payload);
    expect(statusOf(data)).toBe(status);
    expect(data).toMatch(/\r\nConnection: close\r\n/i);
    expect(closed).toBe(true);
    expect(handled.length).toBe(handledBefore);
    const newLines = served.logger.lines.slice(before);
    if (status !== 400 || !payload.startsWith('GET / HTTP/1.1\r\n\r\n')) {
      expect(newLines.map((line) => line.message).join('\n')).toMatch(logged);
    }
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

  it('headers trickled byte by byte get 408 and a close after headersTimeout', async () => {
    const result = await new Promise<{ data: string; elapsed: number }>((resolve) => {
      const socket = connect(served.port, '127.0.0.1');
      const started = Date.now();
      let data = '';
      socket.write('GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ');
      const trickle = setInterval(() => {
        if (!socket.destroyed) socket.write('a');
      }, 50);
      socket.on('data', (chunk) => {
        data += chunk.toString('latin1');
      });
      socket.on('error', () => {});
      socket.on('close', () => {
        clearInterval(trickle);
        resolve({ data, elapsed: Date.now() - started });
      });
    });
    expect(statusOf(result.data)).toBe(408);
    expect(result.elapsed).toBeLessThan(5000);
    expect(served.logger.text()).toMatch(/408 bad request .*ERR_HTTP_REQUEST_TIMEOUT/);
    await expectServerStillAnswers();
  });

  it('a body trickled past bodyTimeout is cut off', async () => {
    const result = await new Promise<{ data: string; elapsed: number }>((resolve) => {
      const socket = connect(served.port, '127.0.0.1');
      const started = Date.now();
      let data = '';
      socket.write('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 900\r\n\r\n');
      const trickle = setInterval(() => {
        if (!socket.destroyed) socket.write('a');
      }, 50);
      socket.on('data', (chunk) => {
        data += chunk.toString('latin1');
      });
      socket.on('error', () => {});
      socket.on('close', () => {
        clearInterval(trickle);
        resolve({ data, elapsed: Date.now() - started });
      });
    });
    expect(result.elapsed).toBeLessThan(6000);
    expect(result.data).not.toMatch(/200 OK/);
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

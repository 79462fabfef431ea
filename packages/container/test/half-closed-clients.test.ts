// A client that sends a whole request and then shuts down its sending side (shutdown(SHUT_WR)) gets its whole
// answer on every executor, from a slow application and from a streamed one; a client that really goes away still
// stops the application, and close() runs once on its iterable.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type EdgeServer, executorKinds, serveEdgeApps } from './edge-server.js';
import { rawExchange, until } from './helpers.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Sends `payload`, half-closes, and collects the answer until the server closes (silent for 3 s: a failure). */
const sendThenHalfClose = (port: number, payload: string) =>
  rawExchange(port, payload, 3000, { halfClose: true });

/** The status and the de-chunked (or Content-Length) body of the one response in `data`. */
function single(data: string): { status: number; headers: string; body: string } {
  const split = data.indexOf('\r\n\r\n');
  const headers = data.slice(0, split);
  let rest = data.slice(split + 4);
  let body = '';
  if (/\r\nTransfer-Encoding: chunked/i.test(headers)) {
    for (;;) {
      const lineEnd = rest.indexOf('\r\n');
      const size = Number.parseInt(rest.slice(0, lineEnd), 16);
      if (size === 0) {
        expect(rest.slice(lineEnd)).toBe('\r\n\r\n');
        break;
      }
      body += rest.slice(lineEnd + 2, lineEnd + 2 + size);
      rest = rest.slice(lineEnd + 2 + size + 2);
    }
  } else {
    body = rest;
    expect(body.length).toBe(Number(/\r\nContent-Length: (\d+)/i.exec(headers)?.[1]));
  }
  return { status: Number(headers.slice(9, 12)), headers, body };
}

describe.each(executorKinds)('%s', (kind) => {
  let served: EdgeServer;
  beforeAll(async () => {
    served = await serveEdgeApps(kind);
  });
  afterAll(() => served.close());
  beforeEach(() => served.reset());

  describe('a half-closed client gets its whole answer', () => {
    it('from an application that takes 200 ms', async () => {
      const data = await sendThenHalfClose(served.port, 'GET /slow?ms=200 HTTP/1.1\r\nHost: a\r\n\r\n');
      const answer = single(data);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ method: 'GET', pathInfo: '/slow', outcome: 'read 0' });
      expect(served.calls()).toBe(1);
    });

    it('from a streamed response (five parts, 40 ms apart); close() runs once', async () => {
      const data = await sendThenHalfClose(served.port, 'GET /parts HTTP/1.1\r\nHost: a\r\n\r\n');
      const answer = single(data);
      expect(answer.status).toBe(200);
      expect(answer.body).toBe('part 0;part 1;part 2;part 3;part 4;');
      await until(() => served.closes() === 1);
    });

    it('with a chunked body sent before the half-close, and on HTTP/1.0', async () => {
      const post = await sendThenHalfClose(
        served.port,
        'POST /upload?ms=100 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
      );
      expect(JSON.parse(single(post).body)).toMatchObject({ outcome: 'read 5' });
      const old = await sendThenHalfClose(served.port, 'GET /old?ms=100 HTTP/1.0\r\n\r\n');
      expect(single(old).status).toBe(200);
    });

    it('pipelined requests before the half-close are all answered, in order', async () => {
      const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: a\r\n\r\n`;
      const data = await sendThenHalfClose(served.port, get('/1?ms=100') + get('/2') + get('/3'));
      expect([...data.matchAll(/"pathInfo":"(\/\d)"/g)].map((match) => match[1])).toEqual(['/1', '/2', '/3']);
    });
  });

  describe('a client that really goes away stops the application; close() runs once', () => {
    it.each([
      ['closes its socket (FIN; the next write is reset)', (socket: Socket) => socket.destroy()],
      ['resets the connection', (socket: Socket) => socket.resetAndDestroy()],
    ])('one that %s mid-stream', async (_how, leave) => {
      const socket = connect(served.port, '127.0.0.1');
      socket.on('error', () => {});
      let received = 0;
      socket.on('data', (chunk: Buffer) => {
        received += chunk.length;
      });
      socket.write('GET /endless HTTP/1.1\r\nHost: a\r\n\r\n');
      await until(() => received > 64 * 1024);
      leave(socket);
      await until(() => served.closes() === 1);
      await sleep(100);
      expect(served.closes()).toBe(1);
      // The server (and, on the pool, the worker) is free again.
      const data = await sendThenHalfClose(served.port, 'GET /next HTTP/1.1\r\nHost: a\r\n\r\n');
      expect(single(data).status).toBe(200);
    });
  });
});

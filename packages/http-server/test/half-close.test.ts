import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestCallback } from '../src/index.js';
import { dechunk, delay, rawRequest, serve, statusOf } from './helpers.js';

// A client that sends its request and then shuts down its sending side (`shutdown(SHUT_WR)`: `nc -N`, HTTP/1.0
// scripts, health checkers) is still answered, by native async handlers too; only a client that really went away
// (a reset, or a close noticed on a write) aborts the response.
type Served = Awaited<ReturnType<typeof serve>>;
let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

/** Sends `payload`, half-closes (FIN), and reads until the server closes or `waitMs` passes. */
const sendThenHalfClose = (port: number, payload: string, waitMs = 5000) =>
  rawRequest(port, payload, waitMs, { halfClose: true });

const statuses = (data: string) =>
  [...data.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((match) => Number(match[1]));

async function serveRecording(callback: RequestCallback) {
  served = await serve(callback);
  return served;
}

describe('a half-closed client is answered', () => {
  it('by a handler that answers 200 ms later; the signal is not aborted; Connection: close', async () => {
    let aborted: boolean | undefined;
    const { port } = await serveRecording(async (request) => {
      const signal = request.connection.signal;
      await delay(200);
      aborted = signal.aborted;
      await request.connection.respond(200, 'late answer');
    });
    const { data, closed } = await sendThenHalfClose(port, 'GET /slow HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(statusOf(data)).toBe(200);
    expect(data).toMatch(/\r\nConnection: close\r\n/i);
    expect(data.endsWith('late answer')).toBe(true);
    expect(closed).toBe(true);
    expect(aborted).toBe(false);
  });

  it('by a streamed response: every chunk, then the terminating chunk', async () => {
    const { port } = await serveRecording(async (request) => {
      const connection = request.connection;
      await connection.writeHeaders({ code: 200, reason: 'OK' }, ['Content-Type', 'text/plain']);
      for (let index = 0; index < 5; index++) {
        await delay(40);
        await connection.write(new TextEncoder().encode(`part ${index};`));
      }
      connection.finish();
    });
    const { data, closed } = await sendThenHalfClose(port, 'GET /stream HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(statusOf(data)).toBe(200);
    expect(data).toMatch(/Transfer-Encoding: chunked/);
    const { payload, end } = dechunk(data, data.indexOf('\r\n\r\n') + 4);
    expect(payload).toBe('part 0;part 1;part 2;part 3;part 4;');
    expect(end).toBe(data.length);
    expect(closed).toBe(true);
  });

  it('pipelined requests before the half-close are all answered, in order, then the connection closes', async () => {
    const { port } = await serveRecording(async (request) => {
      await delay(request.uri === '/1' ? 100 : 10);
      await request.connection.respond(200, `answer ${request.uri}`);
    });
    const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: a\r\n\r\n`;
    const { data, closed } = await sendThenHalfClose(port, get('/1') + get('/2') + get('/3'));
    expect(statuses(data)).toEqual([200, 200, 200]);
    expect([...data.matchAll(/answer (\/\d)/g)].map((match) => match[1])).toEqual(['/1', '/2', '/3']);
    // Only the last answer announces the close.
    expect(data.match(/\r\nConnection: close\r\n/gi)).toHaveLength(1);
    expect(data.search(/\r\nConnection: close\r\n/i)).toBeGreaterThan(data.indexOf('answer /2'));
    expect(closed).toBe(true);
  });

  it('an HTTP/1.0 request, and a POST whose body came before the half-close', async () => {
    const { port } = await serveRecording(async (request) => {
      const body = await request.readBody();
      await delay(50);
      await request.connection.respond(200, `read ${body.length}`);
    });
    const old = await sendThenHalfClose(port, 'GET / HTTP/1.0\r\n\r\n');
    expect(statuses(old.data)).toEqual([200]);
    expect(old.closed).toBe(true);
    const post = await sendThenHalfClose(
      port,
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
    );
    expect(post.data.endsWith('read 5')).toBe(true);
    expect(post.closed).toBe(true);
  });
});

describe('a half-close that leaves the request incomplete', () => {
  it('during the headers: 400 and close; the handler never runs', async () => {
    let ran = false;
    const { port } = await serveRecording(() => {
      ran = true;
    });
    const { data, closed } = await sendThenHalfClose(port, 'GET / HTTP/1.1\r\nHost: a\r\nX-Half: ');
    expect(statusOf(data)).toBe(400);
    expect(closed).toBe(true);
    expect(ran).toBe(false);
  });

  it('during the body: 400 and close; reading the body fails', async () => {
    let outcome: unknown;
    const { port } = await serveRecording(async (request) => {
      outcome = await request.readBody().then(
        (body) => `read ${body.length}`,
        (error: Error) => error.name,
      );
    });
    const { data, closed } = await sendThenHalfClose(
      port,
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhalf',
    );
    expect(statusOf(data)).toBe(400);
    expect(closed).toBe(true);
    while (outcome === undefined) await delay(5);
    expect(outcome).toBe('StreamClosedError');
  });

  it('on an idle keep-alive connection: closed at once, not after idleConnectionTimeout', async () => {
    const { port } = await serveRecording((request) => request.connection.respond(200, 'first'));
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
    });
    const ended = new Promise<void>((resolve) => socket.on('end', () => resolve()));
    socket.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    while (!data.endsWith('first')) await delay(5);
    const started = performance.now();
    socket.end();
    await ended;
    expect(performance.now() - started).toBeLessThan(2000);
    expect(data).toMatch(/Connection: keep-alive/i);
  });
});

describe('a client that really went away', () => {
  it('a reset aborts the signal of a response still being computed', async () => {
    let reason: unknown;
    const { port } = await serveRecording(async (request) => {
      const signal = request.connection.signal;
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      reason = signal.reason;
    });
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await delay(100);
    socket.resetAndDestroy();
    while (reason === undefined) await delay(5);
    expect(reason).toMatchObject({ name: 'StreamClosedError' });
  });

  it('a close (FIN, then nothing read) is noticed on the next write: the write rejects, the signal aborts', async () => {
    let outcome: unknown;
    const { port } = await serveRecording(async (request) => {
      const connection = request.connection;
      await connection.writeHeaders({ code: 200, reason: 'OK' }, []);
      try {
        for (let index = 0; index < 200; index++) {
          await delay(10);
          await connection.write(new Uint8Array(16 * 1024));
        }
        outcome = 'all written';
      } catch (error) {
        outcome = `${(error as Error).name}, signal aborted: ${connection.signal.aborted}`;
      }
    });
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > 32 * 1024) socket.destroy();
    });
    socket.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    while (outcome === undefined) await delay(10);
    expect(outcome).toBe('StreamClosedError, signal aborted: true');
  });
});

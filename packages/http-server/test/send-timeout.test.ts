// sendTimeout: a response whose client stops reading is closed after a while without progress; a client that
// reads slowly but steadily is never cut. Loopback sockets buffer several MiB in the kernel, so the responses here
// are large enough that the writer really waits for the reader.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { HTTPServerRequest } from '../src/index.js';
import { serve } from './helpers.js';

const chunk = Buffer.alloc(256 * 1024, 120);
let served: Awaited<ReturnType<typeof serve>> | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

/** What the handler saw: how far it got and why it stopped. */
interface Outcome {
  written: number;
  error?: Error;
  finished: boolean;
}

/** A native handler that writes `total` bytes in 256 KiB chunks, awaiting each write. */
function streamer(total: number, outcome: Outcome) {
  return async (request: HTTPServerRequest) => {
    const connection = request.connection;
    await connection.writeHeaders({ code: 200, reason: 'OK' }, ['Content-Length', String(total)]);
    try {
      while (outcome.written < total) {
        await connection.write(chunk);
        outcome.written += chunk.length;
      }
      connection.finish();
      outcome.finished = true;
    } catch (error) {
      outcome.error = error as Error;
    }
  };
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', () => {});
  });
}

/** Polls until `condition` holds or `ms` pass; resolves to whether it held. */
async function within(ms: number, condition: () => boolean | Promise<boolean>): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!(await condition())) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

/** The server's open connections. A paused client never sees the close (it reads nothing): count on this side. */
const connections = () =>
  new Promise<number>((resolve, reject) =>
    served!.server.httpServer.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );

const closedWithin = (socket: Socket, ms: number) =>
  new Promise<boolean>((resolve) => {
    if (socket.destroyed) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

describe('sendTimeout', () => {
  it('closes a connection whose client stops reading, and the handler’s write rejects saying why', async () => {
    const outcome: Outcome = { written: 0, finished: false };
    served = await serve(streamer(256 * 1024 * 1024, outcome), { sendTimeout: 300 });
    const socket = await open(served.port);
    socket.pause(); // never reads
    const started = performance.now();
    socket.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    // 300 ms without progress; the margin absorbs a loaded machine (a timer, not an interval check).
    expect(await within(5000, () => outcome.error !== undefined)).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(await within(2000, async () => (await connections()) === 0)).toBe(true);
    socket.destroy();
    expect(outcome.finished).toBe(false);
    expect(outcome.error?.name).toBe('StreamClosedError');
    expect(outcome.error?.message).toMatch(/read nothing for 300 ms \(sendTimeout\)/);
    expect(outcome.written).toBeLessThan(64 * 1024 * 1024);
    expect(served.logger.text()).toMatch(/warn: GET \/ \(127\.0\.0\.1\): the client read nothing for 300 ms/);
  });

  it('never cuts a client that reads slowly but steadily, even over many times the timeout', async () => {
    const total = 40 * 1024 * 1024;
    const outcome: Outcome = { written: 0, finished: false };
    served = await serve(streamer(total, outcome), { sendTimeout: 400 });
    const socket = await open(served.port);
    let received = 0;
    let sincePause = 0;
    const started = performance.now();
    const done = new Promise<void>((resolve) => {
      socket.on('data', (data: Buffer) => {
        received += data.length;
        sincePause += data.length;
        // Every 2 MiB, stop reading for 150 ms: the writer waits each time, never 400 ms in a row.
        if (sincePause >= 2 * 1024 * 1024) {
          sincePause = 0;
          socket.pause();
          setTimeout(() => socket.resume(), 150);
        }
        if (received >= total) resolve();
      });
    });
    socket.write('GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    await done;
    expect(performance.now() - started).toBeGreaterThan(1000);
    expect(outcome.finished).toBe(true);
    expect(outcome.error).toBeUndefined();
    socket.destroy();
  });

  it('closes a finished response whose last bytes the client never reads', async () => {
    served = await serve(
      async (request) => {
        const connection = request.connection;
        const body = Buffer.alloc(48 * 1024 * 1024, 97);
        await connection.writeHeaders({ code: 200, reason: 'OK' }, ['Content-Length', String(body.length)]);
        void connection.write(body).catch(() => {});
        connection.finish();
      },
      { sendTimeout: 300 },
    );
    const socket = await open(served.port);
    socket.pause();
    socket.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await connections()).toBe(1);
    expect(await within(5000, async () => (await connections()) === 0)).toBe(true);
    socket.destroy();
    expect(served.logger.text()).toMatch(
      /the client read nothing for 300 ms \(sendTimeout\); closing the connection/,
    );
  });

  it('0 disables it', async () => {
    const total = 32 * 1024 * 1024;
    const outcome: Outcome = { written: 0, finished: false };
    served = await serve(streamer(total, outcome), { sendTimeout: 0 });
    const socket = await open(served.port);
    socket.pause();
    socket.write('GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(await connections()).toBe(1);
    expect(outcome.error).toBeUndefined();
    let received = 0;
    socket.on('data', (data: Buffer) => {
      received += data.length;
    });
    socket.resume();
    expect(await closedWithin(socket, 10_000)).toBe(true);
    expect(received).toBeGreaterThan(total);
    expect(outcome.finished).toBe(true);
  });
});

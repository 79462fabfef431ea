// Streaming: chunks reach the client as they are produced, back-to-back chunks are batched, a client that stops
// reading holds the application back (bounded memory), and a client that leaves stops it (close() at once).

import { connect } from 'node:net';
import { Worker } from 'node:worker_threads';
import { type Executor, InlineExecutor, type Work } from '@tsgi/executors';
import { afterEach, describe, expect, test } from 'vitest';
import { testLogger } from '../../../test-support/test-logger.js';
import { type ContainerRequest, type WSGIApplication, WSGIContainer } from '../src/index.js';
import { sleepSync } from './helpers.js';
import { serve, type Target, type TestServer } from './serve.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const plain: Array<[string, string]> = [['Content-Type', 'text/plain']];

/** Resolves once `check()` is true, polling; rejects after `timeoutMs`. */
async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('34: streaming', () => {
  test('each chunk of a generator that yields every 50 ms reaches the client before the next is produced', async () => {
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const seenBeforeNext: number[] = [];
    const app: WSGIApplication = (_environ, startResponse) => {
      startResponse('200 OK', plain);
      return (function* () {
        for (let index = 0; index < 4; index++) {
          // Block this thread (the event loop) as a synchronous app does; the client runs on its own thread.
          sleepSync(50);
          if (index > 0) seenBeforeNext.push(Atomics.load(counter, 0));
          yield new TextEncoder().encode('chunk\n');
        }
      })();
    };
    server = await serve(new WSGIContainer(app, { logger: testLogger() }));
    const client = new Worker(new URL('./fixtures/counting-client.mjs', import.meta.url), {
      workerData: { url: server.url, counter: counter.buffer },
    });
    await new Promise((resolve) => client.once('exit', resolve));
    expect(seenBeforeNext).toEqual([6, 12, 18]);
    expect(Atomics.load(counter, 0)).toBe(24);
  });

  test('chunks produced back to back are joined into few writes', async () => {
    let writes = 0;
    const container = new WSGIContainer(
      (_environ, startResponse) => {
        startResponse('200 OK', plain);
        return (function* () {
          for (let index = 0; index < 100; index++) yield new Uint8Array(1024).fill(97);
        })();
      },
      { logger: testLogger() },
    );
    const counting: Target = {
      handleRequest(request: ContainerRequest) {
        const connection = request.connection;
        const write = connection.write.bind(connection);
        const writeHeaders = connection.writeHeaders.bind(connection);
        const counted = Object.assign(Object.create(connection), {
          write: (chunk: Uint8Array) => {
            writes++;
            return write(chunk);
          },
          writeHeaders: (...args: Parameters<typeof writeHeaders>) => {
            writes++;
            return writeHeaders(...args);
          },
          finish: () => connection.finish(),
          abort: () => connection.abort(),
        });
        return container.handleRequest({ ...request, connection: counted });
      },
    };
    server = await serve(counting);
    const body = await (await fetch(server.url)).arrayBuffer();
    expect(body.byteLength).toBe(100 * 1024);
    // The first chunk goes out alone; the other 99 in a handful of batches (≤ 1 ms or 128 KiB each).
    expect(writes).toBeGreaterThanOrEqual(2);
    expect(writes).toBeLessThan(40);
  });
});

/** Rejects its run with the first rejected `onMessage`, as a thread pool does when the client went away. */
class RejectingExecutor implements Executor {
  readonly kind = 'inline' as const;
  readonly multithread = false;
  readonly inline = new InlineExecutor();
  load(modules: Parameters<Executor['load']>[0]) {
    return this.inline.load(modules);
  }
  async run<Payload>(work: Work<Payload>) {
    let failure: unknown;
    await this.inline.run({
      ...work,
      onMessage: (message) => {
        const result = work.onMessage(message);
        result?.catch((error: unknown) => {
          failure ??= error;
        });
        return result;
      },
    });
    if (failure !== undefined) throw failure;
  }
  close() {
    return this.inline.close();
  }
}

describe('backpressure and disconnects', () => {
  test('a client that stops reading holds the application back: memory stays bounded while 1 GiB is offered', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(120);
    let pulled = 0;
    let closed = 0;
    const app: WSGIApplication = (_environ, startResponse) => {
      startResponse('200 OK', plain);
      const body = (function* () {
        for (let index = 0; index < 16 * 1024; index++) {
          pulled++;
          yield chunk;
        }
      })();
      return Object.assign(body, { close: () => closed++ });
    };
    server = await serve(new WSGIContainer(app, { logger: testLogger() }));
    const before = process.memoryUsage();
    const socket = connect(server.port, '127.0.0.1');
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    socket.pause();
    await eventually(() => pulled > 10);
    // Let the socket buffers fill and the handler settle into waiting for 'drain'.
    let last = -1;
    while (last !== pulled) {
      last = pulled;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const after = process.memoryUsage();
    expect(pulled).toBeLessThan(2048); // at most 128 MiB produced of the 1 GiB offered
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(96 * 1024 * 1024);
    expect(after.rss - before.rss).toBeLessThan(256 * 1024 * 1024);
    expect(closed).toBe(0);
    socket.destroy();
    await eventually(() => closed === 1, 3000);
  });

  test('46: a run that fails because the client left is not reported as an application error', async () => {
    const logger = testLogger();
    let closed = 0;
    const app: WSGIApplication = (_environ, startResponse) => {
      startResponse('200 OK', plain);
      const body = (function* () {
        for (;;) yield new Uint8Array(16 * 1024);
      })();
      return Object.assign(body, { close: () => closed++ });
    };
    server = await serve(new WSGIContainer(app, { logger, executor: new RejectingExecutor() }));
    const socket = connect(server.port, '127.0.0.1');
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    socket.destroy();
    await eventually(() => closed === 1, 3000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(logger.lines.filter((line) => line.level === 'error')).toEqual([]);
  });

  test('46: a client that leaves an infinite stream stops the iteration and close() runs promptly', async () => {
    let closed = 0;
    let pulledAtClose = 0;
    let pulled = 0;
    const app: WSGIApplication = (_environ, startResponse) => {
      startResponse('200 OK', plain);
      const body = (function* () {
        for (;;) {
          pulled++;
          yield new TextEncoder().encode('data: tick\n\n');
        }
      })();
      return Object.assign(body, {
        close: () => {
          closed++;
          pulledAtClose = pulled;
        },
      });
    };
    server = await serve(new WSGIContainer(app, { logger: testLogger() }));
    const socket = connect(server.port, '127.0.0.1');
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    socket.destroy();
    await eventually(() => closed === 1, 3000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closed).toBe(1);
    expect(pulled).toBe(pulledAtClose);
  });
});

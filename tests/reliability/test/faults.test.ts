import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { WSGIContainer } from '@tsgi/container';
import { RuleRouter } from '@tsgi/http-server';
import { afterAll, describe, expect, it } from 'vitest';
import { testLogger } from '../../../test-support/test-logger.js';
import { serveOnLoopback } from './support/gateway-target.js';
import { request } from './support/hostile-corpus.js';
import { parseResponses } from './support/http-wire.js';
import { delay, exchange } from './support/raw-client.js';

const { app, closes } = await import('../fixtures/fault-apps.mjs');

async function waitFor(condition: () => boolean, timeoutMs = 3000) {
  for (let waited = 0; waited < timeoutMs && !condition(); waited += 20) await delay(20);
  return condition();
}

function connections(served: Awaited<ReturnType<typeof serveOnLoopback>>): Promise<number> {
  return new Promise((resolve, reject) =>
    served.server.httpServer.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
}

async function stillServes(port: number) {
  const { data } = await exchange(port, request('GET /ok HTTP/1.1', ['Host: a', 'Connection: close']));
  expect(parseResponses(data).finals.map((response) => response.status)).toEqual([200]);
}

describe('client disconnects at every stage (WSGIContainer, inline)', () => {
  let served: Awaited<ReturnType<typeof serveOnLoopback>>;
  afterAll(() => served?.close());

  const stages: [name: string, steps: (port: number) => Promise<void>, path?: string][] = [
    ['during the request line', (port) => hangUp(port, 'GET /ok HT')],
    ['during the headers', (port) => hangUp(port, 'GET /ok HTTP/1.1\r\nHost: a\r\nX-Half: ')],
    [
      'during the body',
      (port) =>
        hangUp(
          port,
          `${request('POST /upload HTTP/1.1', ['Host: a', 'Content-Length: 100000'])}${'x'.repeat(50_000)}`,
        ),
    ],
    [
      'while the response streams',
      (port) => hangUpAfterBytes(port, request('GET /endless/streaming HTTP/1.1', ['Host: a']), 200_000),
      '/endless/streaming',
    ],
    [
      'right after the response headers',
      (port) => hangUpAfterBytes(port, request('GET /endless/headers HTTP/1.1', ['Host: a']), 1),
      '/endless/headers',
    ],
    [
      'before reading anything of an endless response',
      (port) => hangUpAfterMs(port, request('GET /endless/unread HTTP/1.1', ['Host: a']), 200),
      '/endless/unread',
    ],
    [
      'after a whole response, before the next request',
      (port) => hangUpAfterBytes(port, request('GET /ok HTTP/1.1', ['Host: a']), 1),
    ],
  ];

  it.each(stages)(
    '%s: the app stops (close() once), the connection is released, the server serves',
    async (name, steps, path) => {
      served ??= await serveOnLoopback(new WSGIContainer(app, { logger: testLogger() }));
      await steps(served.port);
      if (path !== undefined) {
        expect(await waitFor(() => (closes.get(path) ?? 0) > 0), `${name}: close() called`).toBe(true);
        await delay(50);
        expect(closes.get(path)).toBe(1);
      }
      await stillServes(served.port);
      // Only the probe's connection may still be closing.
      let open = await connections(served);
      for (let waited = 0; waited < 2000 && open > 0; waited += 50) {
        await delay(50);
        open = await connections(served);
      }
      expect(open).toBe(0);
    },
  );
});

function hangUp(port: number, payload: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(payload, () => setTimeout(() => socket.destroy(), 50));
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve());
  });
}

function hangUpAfterBytes(port: number, payload: string, bytes: number): Promise<void> {
  return new Promise((resolve) => {
    let received = 0;
    const socket = connect(port, '127.0.0.1', () => socket.write(payload));
    socket.on('data', (chunk) => {
      received += chunk.length;
      if (received >= bytes) socket.destroy();
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve());
  });
}

function hangUpAfterMs(port: number, payload: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(payload));
    socket.pause();
    setTimeout(() => socket.destroy(), ms);
    socket.on('error', () => {});
    socket.on('close', () => resolve());
  });
}

describe('an application that never finishes (timeoutMs)', () => {
  it('an endless response to a client that stops reading is ended at the timeout, close() once', async () => {
    const served = await serveOnLoopback(new WSGIContainer(app, { logger: testLogger(), timeoutMs: 500 }));
    try {
      const socket = connect(served.port, '127.0.0.1', () =>
        socket.write(request('GET /endless/timeout HTTP/1.1', ['Host: a'])),
      );
      socket.pause(); // never reads (so it cannot see the close itself: the server's side is checked)
      socket.on('error', () => {});
      const started = performance.now();
      let open = 1;
      while (open > 0 && performance.now() - started < 5000) {
        await delay(50);
        open = await connections(served);
      }
      socket.destroy();
      expect(open).toBe(0);
      expect(await waitFor(() => closes.get('/endless/timeout') === 1)).toBe(true);
      await stillServes(served.port);
    } finally {
      await served.close();
    }
  });
});

function get(
  port: number,
  path: string,
  timeoutMs = 10_000,
): Promise<{ status: number; body: string; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (incoming) => {
      let body = '';
      incoming.setEncoding('latin1');
      incoming.on('data', (chunk) => {
        body += chunk;
      });
      incoming.on('end', () =>
        resolve({ status: incoming.statusCode ?? 0, body, connection: incoming.headers.connection }),
      );
      incoming.on('error', reject);
      incoming.on('aborted', () => reject(new Error('response cut')));
    })
      .on('error', reject)
      .on('timeout', function (this: ReturnType<typeof httpRequest>) {
        this.destroy(new Error(`no answer within ${timeoutMs} ms`));
      })
      .end();
  });
}

describe('graceful shutdown', () => {
  it('200 requests in flight: none lost, none cut; new connections refused', async () => {
    let arrived = 0;
    const container = new WSGIContainer(app, { logger: testLogger() });
    const served = await serveOnLoopback(
      new RuleRouter([
        [
          '/slow/.*',
          async (request) => {
            arrived++;
            // Each request is still running when close() starts.
            await delay(300 + (arrived % 10) * 50);
            await request.connection.respond(200, `done ${request.path} ${'x'.repeat(2000)}`);
          },
        ],
        ['.*', container],
      ]),
    );
    const results = Array.from({ length: 200 }, (_, index) => get(served.port, `/slow/${index}`));
    expect(await waitFor(() => arrived === 200, 10_000)).toBe(true);
    const closing = served.server.close({ timeoutMs: 10_000 });
    const settled = await Promise.allSettled(results);
    await closing;
    const failures = settled.filter((result) => result.status === 'rejected');
    expect(failures.map((failure) => String((failure as PromiseRejectedResult).reason))).toEqual([]);
    settled.forEach((result, index) => {
      const value = (result as PromiseFulfilledResult<Awaited<(typeof results)[number]>>).value;
      expect(value.status).toBe(200);
      expect(value.body).toBe(`done /slow/${index} ${'x'.repeat(2000)}`);
      expect(value.connection).toBe('close');
    });
    await expect(get(served.port, '/after')).rejects.toThrow(/ECONNREFUSED/);
  }, 30_000);
});

describe('a process of a multi-process server is killed', () => {
  let primary: ChildProcess | undefined;
  afterAll(() => {
    if (primary?.exitCode === null) primary.kill('SIGKILL');
  });

  it('the others keep serving, the dead one is replaced, SIGTERM still shuts down cleanly', async () => {
    primary = spawn(process.execPath, [join(import.meta.dirname, '../fixtures/cluster-server.mjs'), '2'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    primary.stderr!.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
    });
    const [line] = (await once(primary.stdout!.setEncoding('utf8'), 'data')) as [string];
    const { port } = JSON.parse(line.split('\n')[0]!) as { port: number };
    const pids = new Set<number>();
    for (let attempt = 0; attempt < 40 && pids.size < 2; attempt++)
      pids.add(Number((await get(port, '/')).body));
    expect(pids.size).toBe(2);
    const [victim] = [...pids];

    // Steady traffic from 6 clients; the victim is killed in the middle of it.
    let stop = false;
    let killedAt = Number.POSITIVE_INFINITY;
    const outcomes: { startedAt: number; ok: boolean; pid: number }[] = [];
    const failures: string[] = [];
    const clients = Array.from({ length: 6 }, async () => {
      while (!stop) {
        const startedAt = performance.now();
        try {
          const reply = await get(port, '/', 3000);
          outcomes.push({ startedAt, ok: reply.status === 200, pid: Number(reply.body) });
        } catch (error) {
          failures.push(String(error));
          outcomes.push({ startedAt, ok: false, pid: 0 });
        }
      }
    });
    await delay(500);
    process.kill(victim!, 'SIGKILL');
    killedAt = performance.now();
    await delay(2000);
    stop = true;
    await Promise.all(clients);
    const after = outcomes.filter((outcome) => outcome.startedAt > killedAt + 100);
    const lostAroundKill = outcomes.filter(
      (outcome) => !outcome.ok && outcome.startedAt <= killedAt + 100,
    ).length;
    console.log(
      `multi-process kill: ${outcomes.length} requests, ${lostAroundKill} failed around the SIGKILL, ` +
        `${after.filter((outcome) => !outcome.ok).length} failed after it (of ${after.length})`,
    );
    // A connection the dead worker held is reset at once; none is left without an answer (node's round-robin
    // scheduling left one hanging forever: fixed in HTTPServer.start by letting the kernel distribute).
    expect(failures.filter((failure) => failure.includes('no answer'))).toEqual([]);
    expect(after.length).toBeGreaterThan(10);
    expect(after.every((outcome) => outcome.ok)).toBe(true);
    expect(after.some((outcome) => outcome.pid === victim)).toBe(false);
    // The replacement serves too.
    expect(
      await waitFor(
        () => new Set(after.map((outcome) => outcome.pid)).size >= 2 || stderr.includes('starting a new one'),
        3000,
      ),
    ).toBe(true);
    const exited = once(primary, 'exit');
    primary.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
  }, 30_000);
});

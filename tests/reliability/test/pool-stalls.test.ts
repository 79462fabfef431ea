// Slow clients against a WSGIContainer on a two-worker thread pool: uploaders that trickle a byte a second and
// readers that never read must not stop the pool from answering anyone else (issue 17's attacks), and each gets
// what it deserves (a response once its body is complete; a closed connection, close() once, at sendTimeout).

import { join } from 'node:path';
import { setEnvironmentData } from 'node:worker_threads';
import { WSGIContainer } from '@tsgi/container';
import { ThreadPoolExecutor } from '@tsgi/executors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testLogger } from '../../../test-support/test-logger.js';
import { serveOnLoopback } from './support/gateway-target.js';
import { request } from './support/hostile-corpus.js';
import { parseResponses } from './support/http-wire.js';
import { delay, exchange } from './support/raw-client.js';
import { neverRead, type Peer, trickleUpload } from './support/slow-peers.js';

const appReference = `${join(import.meta.dirname, '../fixtures/slow-client-apps.mjs')}#app`;
const { closesKey, digest } = await import('../fixtures/slow-client-apps.mjs');
// Shared with the workers (copied into each at its start, the buffer itself shared): close() calls per X-Id.
const closes = new Int32Array(new SharedArrayBuffer(4 * 4));
setEnvironmentData(closesKey, closes.buffer);
const sendTimeout = 2000;

let pool: ThreadPoolExecutor;
let served: Awaited<ReturnType<typeof serveOnLoopback>>;
const logger = testLogger();
const peers: Peer[] = [];

beforeAll(async () => {
  pool = new ThreadPoolExecutor({ maxWorkers: 2 });
  served = await serveOnLoopback(new WSGIContainer(appReference, { executor: pool, logger }), {
    sendTimeout,
  });
});
afterAll(async () => {
  for (const peer of peers.splice(0)) peer.stop();
  await served.close();
  await pool.close();
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  for (let waited = 0; waited < timeoutMs && !condition(); waited += 20) await delay(20);
  return condition();
}

/** GET /ok on a fresh connection; resolves to its status and how long the answer took. */
async function timedOk(): Promise<{ status: number | undefined; ms: number }> {
  const started = performance.now();
  const { data } = await exchange(
    served.port,
    request('GET /ok HTTP/1.1', ['Host: a', 'Connection: close']),
    30_000,
  );
  return { status: parseResponses(data).finals[0]?.status, ms: performance.now() - started };
}

describe('a two-worker pool beside slow clients', () => {
  it('two uploaders sending a byte a second hold no worker: a normal request beside them is answered promptly', async () => {
    const uploads = [trickleUpload(served.port, '/upload'), trickleUpload(served.port, '/upload')];
    peers.push(...uploads);
    await delay(1500);
    // Promptly: the request needs a free worker and a millisecond of work. 2 s only absorbs a loaded machine; had
    // the uploads held the workers, it would wait the uploads' 1000 s (or the 300 s body timeout).
    const { status, ms } = await timedOk();
    expect(status).toBe(200);
    expect(ms).toBeLessThan(2000);
    expect(logger.errors()).toBe('');
    for (const upload of uploads) upload.stop();
  });

  it('an upload that completes is answered with every byte, read by the application from its buffer', async () => {
    const body = Buffer.alloc(300_000, 'b');
    const { data } = await exchange(
      served.port,
      request(
        'POST /upload HTTP/1.1',
        ['Host: a', 'Connection: close', `Content-Length: ${body.length}`],
        body.toString(),
      ),
      30_000,
    );
    expect(parseResponses(data).finals[0]?.body.toString()).toBe(`${body.length} ${digest(body)}`);
  });

  it('two readers that never read: a normal request is answered promptly, and at sendTimeout their responses end with close() once', async () => {
    const readers = [
      neverRead(served.port, '/endless', ['X-Id: 1']),
      neverRead(served.port, '/endless', ['X-Id: 2']),
    ];
    peers.push(...readers);
    // Both workers fill the kernel's buffers and their credit windows, then block.
    await delay(1000);
    // Promptly: the pool sees both workers stalled on their clients (after 500 ms) and starts a worker for the
    // request beside them. 5 s covers that grace, a thread start and a loaded machine; without it the request
    // would wait for sendTimeout (2 s here, 60 s by default) or --timeout (30 s).
    const { status, ms } = await timedOk();
    expect(status).toBe(200);
    expect(ms).toBeLessThan(5000);
    const closed = (slot: number) => Atomics.load(closes, slot);
    expect(await waitFor(() => closed(1) === 1 && closed(2) === 1, sendTimeout + 10_000)).toBe(true);
    expect(
      served.logger.lines.filter((line) => /read nothing for 2000 ms \(sendTimeout\)/.test(line.text)),
    ).toHaveLength(2);
    // The stalled workers were freed, the extra one ended: the pool is back to its size and serves.
    expect(await waitFor(() => pool.threadCount === 2, 5000)).toBe(true);
    expect((await timedOk()).status).toBe(200);
    await delay(200);
    expect(closed(1)).toBe(1);
    expect(closed(2)).toBe(1);
    for (const reader of readers) reader.stop();
  }, 30_000);
});

describe('Expect: 100-continue with the body streamed to the application (streamInput)', () => {
  let streaming: Awaited<ReturnType<typeof serveOnLoopback>>;
  beforeAll(async () => {
    streaming = await serveOnLoopback(
      new WSGIContainer(appReference, { executor: pool, logger: testLogger(), streamInput: true }),
    );
  });
  afterAll(() => streaming.server.close({ timeoutMs: 0 }));

  it('is answered only when the application reads wsgi.input', async () => {
    const expecting = (path: string) =>
      request(`POST ${path} HTTP/1.1`, [
        'Host: a',
        'Connection: close',
        'Content-Length: 5',
        'Expect: 100-continue',
      ]);
    const ignored = parseResponses((await exchange(streaming.port, expecting('/ignore-body'), 10_000)).data);
    expect(ignored.responses.map((response) => response.status)).toEqual([200]);
    expect(ignored.finals[0]?.body.toString()).toBe('not read');
    // The reader: 100 Continue comes first; the body is sent only then.
    const read = await exchange(streaming.port, [expecting('/upload'), 300, 'hello'], 10_000);
    const parsed = parseResponses(read.data);
    expect(parsed.responses.map((response) => response.status)).toEqual([100, 200]);
    expect(parsed.finals[0]?.body.toString()).toBe(`5 ${digest(Buffer.from('hello'))}`);
  });
});

import type { HTTPServerRequest } from '@tsgi/http-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayTarget, serveOnLoopback } from './support/gateway-target.js';
import { request } from './support/hostile-corpus.js';
import { parseResponses } from './support/http-wire.js';
import { delay, exchange, type Step } from './support/raw-client.js';
import { expectStillServing } from './support/still-serving.js';

// Short limits so the suite stays fast; the margins are generous because the box is loaded.
const headersTimeout = 1000;
const bodyTimeout = 2000;
const idleConnectionTimeout = 1000;
const margin = 2500;

type Served = Awaited<ReturnType<typeof serveOnLoopback>>;
let served: Served;
let streamed = { written: 0, failed: false, finished: false };

async function streamForever(request: HTTPServerRequest) {
  const connection = request.connection;
  await connection.writeHeaders({ code: 200, reason: 'OK' }, ['Content-Type', 'application/octet-stream']);
  const chunk = new Uint8Array(64 * 1024);
  try {
    for (let index = 0; index < 4096; index++) {
      await connection.write(chunk);
      streamed.written += chunk.length;
    }
    streamed.finished = true;
    connection.finish();
  } catch {
    streamed.failed = true;
  }
}

beforeAll(async () => {
  served = await serveOnLoopback(
    (request) => (request.path === '/stream' ? streamForever(request) : gatewayTarget(request)),
    { headersTimeout, bodyTimeout, idleConnectionTimeout, maxBodySize: 1024 * 1024 },
  );
});
afterAll(() => served.close());

/** Sends one byte at a time, `everyMs` apart, for `count` bytes. */
function trickle(text: string, everyMs: number): Step[] {
  return [...text].flatMap((character) => [character, everyMs]);
}

const slow: { name: string; steps: Step[]; limit: number; statuses: number[][] }[] = [
  {
    name: 'headers trickled a byte every 100 ms',
    steps: trickle(`GET / HTTP/1.1\r\nHost: a\r\n${'X-Slow: 1\r\n'.repeat(20)}\r\n`, 100),
    limit: headersTimeout,
    statuses: [[408]],
  },
  { name: 'a connection that sends nothing', steps: [], limit: headersTimeout, statuses: [[408], []] },
  { name: 'half a request line, then silence', steps: ['GET /sl'], limit: headersTimeout, statuses: [[408]] },
  {
    name: 'headers without their final empty line',
    steps: ['GET / HTTP/1.1\r\nHost: a\r\n'],
    limit: headersTimeout,
    statuses: [[408]],
  },
  {
    name: 'body trickled a byte every 100 ms',
    steps: [
      request('POST / HTTP/1.1', ['Host: a', 'Content-Length: 1000'], ''),
      ...trickle('x'.repeat(1000), 100),
    ],
    limit: bodyTimeout,
    statuses: [[408]],
  },
  {
    name: 'half the declared body, then silence',
    steps: [request('POST / HTTP/1.1', ['Host: a', 'Content-Length: 10'], 'abcde')],
    limit: bodyTimeout,
    statuses: [[408]],
  },
  {
    name: 'a chunked body that never ends',
    steps: [request('POST / HTTP/1.1', ['Host: a', 'Transfer-Encoding: chunked'], '3\r\nabc\r\n')],
    limit: bodyTimeout,
    statuses: [[408]],
  },
  {
    name: 'Expect: 100-continue, then no body',
    steps: [request('POST / HTTP/1.1', ['Host: a', 'Expect: 100-continue', 'Content-Length: 10'])],
    limit: bodyTimeout,
    statuses: [[408]],
  },
];

describe('slow clients are closed within the configured timeouts', () => {
  it.each(slow.map((entry) => [entry.name, entry] as const))('%s', async (_name, entry) => {
    const { data, closed, elapsedMs } = await exchange(served.port, entry.steps, entry.limit + margin + 2000);
    const parsed = parseResponses(data);
    const context = `${entry.name}: ${JSON.stringify(data.toString('latin1'))} after ${Math.round(elapsedMs)} ms`;
    expect(closed, context).toBe(true);
    expect(elapsedMs, context).toBeLessThan(entry.limit + margin);
    expect(parsed.error, context).toBeUndefined();
    const statuses = parsed.finals.map((response) => response.status);
    expect(
      entry.statuses.some((allowed) => JSON.stringify(allowed) === JSON.stringify(statuses)),
      context,
    ).toBe(true);
    if (entry.name.startsWith('Expect')) {
      expect(parsed.responses[0]?.status, context).toBe(100);
    }
    await expectStillServing(served.port);
  });

  it('an idle keep-alive connection is closed after idleConnectionTimeout', async () => {
    const { data, closed, elapsedMs } = await exchange(
      served.port,
      request('GET /idle HTTP/1.1', ['Host: a']),
      idleConnectionTimeout + margin + 2000,
    );
    expect(parseResponses(data, [], closed).finals.map((response) => response.status)).toEqual([200]);
    expect(closed).toBe(true);
    expect(elapsedMs).toBeGreaterThanOrEqual(idleConnectionTimeout - 100);
    expect(elapsedMs).toBeLessThan(idleConnectionTimeout + margin);
  });

  it('a client that never reads holds its handler back (bounded buffering), others are served, and its leaving ends the handler', async () => {
    streamed = { written: 0, failed: false, finished: false };
    const { connect } = await import('node:net');
    const socket = connect(served.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.pause(); // never read
    socket.write(request('GET /stream HTTP/1.1', ['Host: a']));
    await delay(1500);
    // 4096 × 64 KiB = 256 MiB would be written without backpressure; kernel buffers plus node's high-water mark are
    // a few MiB at most.
    expect(streamed.finished).toBe(false);
    expect(streamed.written).toBeLessThan(32 * 1024 * 1024);
    await expectStillServing(served.port);
    socket.destroy();
    for (let waited = 0; waited < 3000 && !streamed.failed; waited += 50) await delay(50);
    expect(streamed.failed).toBe(true);
  });
});

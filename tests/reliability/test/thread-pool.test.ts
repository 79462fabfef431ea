import { join } from 'node:path';
import { WSGIContainer } from '@tsgi/container';
import { ThreadPoolExecutor } from '@tsgi/executors';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testLogger } from '../../../test-support/test-logger.js';
import { serveOnLoopback } from './support/gateway-target.js';
import { request } from './support/hostile-corpus.js';
import { parseResponses } from './support/http-wire.js';
import { delay, exchange } from './support/raw-client.js';

// The response stream through worker threads, and the faults only a thread pool can survive.
const appReference = `${join(import.meta.dirname, '../fixtures/pool-apps.mjs')}#app`;
const runs = Number(process.env.RELIABILITY_PROPERTY_RUNS ?? 60);

let pool: ThreadPoolExecutor;
let served: Awaited<ReturnType<typeof serveOnLoopback>>;
const logger = testLogger();

beforeAll(async () => {
  pool = new ThreadPoolExecutor({
    maxWorkers: 2,
    timeoutMs: 1000,
    resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 },
  });
  served = await serveOnLoopback(new WSGIContainer(appReference, { executor: pool, logger }));
});
afterAll(async () => {
  await served.close();
  await pool.close();
});

async function get(path: string, headers: string[] = []) {
  const { data, closed } = await exchange(
    served.port,
    request(`GET ${path} HTTP/1.1`, ['Host: a', 'Connection: close', ...headers]),
    10_000,
  );
  return { parsed: parseResponses(data, [], closed), closed };
}

async function stillServes() {
  const { parsed } = await get('/ok');
  expect(parsed.finals.map((response) => response.status)).toEqual([200]);
  expect(parsed.finals[0]!.body.toString()).toBe('ok /ok');
}

async function closedLines(id: string) {
  await logger.nextLine((line) => line.text.endsWith(`closed ${id}`));
  // Long enough for a second close() to show up, were there one.
  await delay(30);
  return logger.lines.filter((line) => line.text.endsWith(`closed ${id}`)).length;
}

describe('the chunk stream through the thread pool', () => {
  let next = 0;
  it(`keeps bytes and order, and calls close() once, for ${runs} random streams`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 70_000 }), fc.integer({ min: 0, max: 4 })), {
          minLength: 0,
          maxLength: 16,
        }),
        async (spec) => {
          const id = `run-${next++}`;
          const sizes = spec.map(([size]) => size);
          const delays = spec.map(([, ms]) => ms);
          const { parsed, closed } = await get('/chunks', [
            `X-Spec: ${JSON.stringify({ sizes, delays })}`,
            `X-Id: ${id}`,
          ]);
          expect(closed).toBe(true);
          expect(parsed.error).toBeUndefined();
          expect(parsed.finals.length).toBe(1);
          const response = parsed.finals[0]!;
          expect(response.status).toBe(200);
          expect(response.complete).toBe(true);
          const expected = Buffer.concat(
            sizes.map((size, index) => Buffer.alloc(size, (index * 7 + 1) % 256)),
          );
          expect(response.body.length).toBe(expected.length);
          expect(response.body.equals(expected)).toBe(true);
          expect(await closedLines(id)).toBe(1);
        },
      ),
      { numRuns: runs },
    );
  }, 120_000);
});

describe('faults on worker threads', () => {
  it('a worker that dies mid-response: the response is cut (never a second one), the pool serves on', async () => {
    const { parsed, closed } = await get('/crash-mid');
    expect(closed).toBe(true);
    expect(parsed.error).toBeUndefined();
    expect(parsed.trailing.length).toBe(0);
    expect(parsed.finals.length).toBe(1);
    expect(parsed.finals[0]!.complete).toBe(false);
    await stillServes();
    await stillServes();
  });

  it('a worker out of memory (resourceLimits): 500, the pool serves on', async () => {
    const { parsed, closed } = await get('/oom');
    expect(closed).toBe(true);
    expect(parsed.finals.map((response) => response.status)).toEqual([500]);
    expect(
      logger.lines.some((line) => /WorkerCrashed|out of memory|ERR_WORKER_OUT_OF_MEMORY/i.test(line.text)),
    ).toBe(true);
    await stillServes();
  });

  it('an app that never returns: 500 at the timeout, the worker replaced, the pool serves on', async () => {
    const started = performance.now();
    const { parsed, closed } = await get('/spin');
    expect(closed).toBe(true);
    expect(parsed.finals.map((response) => response.status)).toEqual([500]);
    expect(performance.now() - started).toBeLessThan(6000);
    await stillServes();
  });

  it('an app that never returns after its first chunk: the connection is closed at the timeout', async () => {
    const { parsed, closed } = await get('/spin-after-output');
    expect(closed).toBe(true);
    expect(parsed.finals.length).toBe(1);
    expect(parsed.finals[0]!.complete).toBe(false);
    await stillServes();
  });

  it('both workers busy spinning: the rest wait, then are served once the timeouts free the threads', async () => {
    const spins = [get('/spin'), get('/spin')];
    await delay(100);
    const waiting = get('/ok');
    const results = await Promise.all([...spins, waiting]);
    expect(results.map((result) => result.parsed.finals[0]?.status)).toEqual([500, 500, 200]);
  });
});

import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { hostileCases, request } from './support/hostile-corpus.js';
import { delay, exchange } from './support/raw-client.js';

// A bounded soak: mixed traffic at moderate concurrency against the server in a child process, its RSS, heap and
// open file descriptors sampled. RELIABILITY_SOAK_SECONDS sets the duration (default 60).
const seconds = Number(process.env.RELIABILITY_SOAK_SECONDS ?? 60);
const concurrency = Number(process.env.RELIABILITY_SOAK_CONCURRENCY ?? 12);
const procAvailable = (() => {
  try {
    readdirSync('/proc/self/fd');
    return true;
  } catch {
    return false;
  }
})();
if (!procAvailable) console.warn('SKIPPING the soak — /proc is not available to count file descriptors');

const MiB = 1024 * 1024;
// Stated tolerances: file descriptors back to where they started (±2: node's own handles may come and go); heap
// and ArrayBuffer memory after a full GC within 8 MiB of the start. RSS keeps pages the allocator holds on to
// after the first peaks of concurrency, so it is compared with its own level a quarter into the run (a leak keeps
// growing after that; a warm allocator does not): within 16 MiB.
const tolerance = { fds: 2, heapBytes: 8 * MiB, rssGrowthAfterQuarterBytes: 16 * MiB };

interface Sample {
  rssBytes: number;
  heapBytes: number;
  /** Memory of ArrayBuffers (request and response bytes live there, outside the heap). */
  bufferBytes: number;
  fds: number;
}

let child: ChildProcess | undefined;
afterAll(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
});

const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

/**
 * Keep-alive's one race no server can close: the agent hands a pooled socket to a request at the very moment the
 * server's idle timeout closes it. Node's documentation has clients retry such a request once (`reusedSocket` and
 * `ECONNRESET`); counted, so a run that needs many says so.
 */
let keepAliveRetries = 0;

function get(
  port: number,
  path: string,
  options: { body?: Buffer; slowReader?: boolean } = {},
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const outgoing = httpRequest(
      { host: '127.0.0.1', port, path, method: options.body ? 'POST' : 'GET', agent },
      (incoming) => {
        let length = 0;
        incoming.on('data', (chunk: Buffer) => {
          length += chunk.length;
          if (options.slowReader) {
            incoming.pause();
            setTimeout(() => incoming.resume(), 5);
          }
        });
        incoming.on('end', () => resolve(length));
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (outgoing.reusedSocket && error.code === 'ECONNRESET') {
        keepAliveRetries++;
        resolve(get(port, path, options));
      } else reject(error);
    });
    outgoing.end(options.body);
  });
}

/** A client that asks for the 1 MiB stream and hangs up after the first bytes. */
function abandon(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.once('data', () => socket.destroy());
    socket.on('close', () => resolve());
    socket.write(request('GET /stream HTTP/1.1', ['Host: a']));
  });
}

async function sample(pid: number, port: number): Promise<Sample> {
  const stats = JSON.parse(
    await new Promise<string>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path: '/__stats', agent: false }, (incoming) => {
        let text = '';
        incoming.on('data', (chunk) => {
          text += chunk;
        });
        incoming.on('end', () => resolve(text));
      })
        .on('error', reject)
        .end();
    }),
  ) as { heapUsed: number; arrayBuffers: number };
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  // The /__stats connection itself is closed by now (agent: false → Connection: close).
  await delay(50);
  return {
    rssBytes: rssKb * 1024,
    heapBytes: stats.heapUsed,
    bufferBytes: stats.arrayBuffers,
    fds: readdirSync(`/proc/${pid}/fd`).length,
  };
}

const format = (value: Sample) =>
  `RSS ${(value.rssBytes / MiB).toFixed(1)} MiB, heap ${(value.heapBytes / MiB).toFixed(1)} MiB, ` +
  `buffers ${(value.bufferBytes / MiB).toFixed(1)} MiB, ${value.fds} fds`;

describe.skipIf(!procAvailable)(`soak (${seconds} s, ${concurrency} concurrent clients)`, () => {
  it(
    'mixed traffic leaves memory and file descriptors where they started',
    async () => {
      child = spawn(
        process.execPath,
        ['--expose-gc', join(import.meta.dirname, '../fixtures/soak-server.mjs')],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      const firstLine = await new Promise<string>((resolve) =>
        createInterface({ input: child!.stdout! }).once('line', resolve),
      );
      const { port } = JSON.parse(firstLine) as { port: number };
      const pid = child.pid!;
      const counts = { requests: 0, hostile: 0, slowReads: 0, abandoned: 0, failures: 0 };
      // What each failure was, so a red run says which kind of traffic failed and how.
      const failures: string[] = [];
      const upload = Buffer.alloc(64 * 1024, 97);
      const hostile = hostileCases.filter((entry) => !entry.name.includes('stall'));

      const run = async (until: number) => {
        const workers = Array.from({ length: concurrency }, async (_, worker) => {
          for (let round = 0; performance.now() < until; round++) {
            const kind = (round + worker) % 10;
            try {
              if (kind < 5) {
                await get(port, `/get/${round}`);
                counts.requests++;
              } else if (kind < 7) {
                expect(await get(port, '/post', { body: upload })).toBeGreaterThan(0);
                counts.requests++;
              } else if (kind === 7) {
                expect(await get(port, '/stream', { slowReader: true })).toBe(MiB);
                counts.slowReads++;
              } else if (kind === 8) {
                const entry = hostile[(round * concurrency + worker) % hostile.length]!;
                const { closed } = await exchange(port, entry.payload, 5000);
                if (!closed) {
                  counts.failures++;
                  failures.push(`hostile "${entry.name}": the server did not close within 5 s`);
                }
                counts.hostile++;
              } else {
                await abandon(port);
                counts.abandoned++;
              }
            } catch (error) {
              counts.failures++;
              failures.push(
                `kind ${kind}, round ${round}: ${error instanceof Error ? error.message : String(error)}`,
              );
            }
          }
        });
        await Promise.all(workers);
        agent.destroy();
      };

      // Warm up (JIT, pools, buffers), then take the baseline.
      const warmUpMs = Math.min(5000, seconds * 100);
      await run(performance.now() + warmUpMs);
      await delay(500);
      const start = await sample(pid, port);
      const samples: Sample[] = [start];
      const started = performance.now();
      const sampler = setInterval(() => {
        try {
          samples.push({
            rssBytes:
              Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024,
            heapBytes: Number.NaN,
            bufferBytes: Number.NaN,
            fds: readdirSync(`/proc/${pid}/fd`).length,
          });
        } catch {}
      }, 1000);
      await run(started + seconds * 1000);
      clearInterval(sampler);
      const elapsed = (performance.now() - started) / 1000;
      await delay(1000); // let closing connections finish closing
      const end = await sample(pid, port);
      const peak = samples.reduce((high, value) => (value.rssBytes > high.rssBytes ? value : high), start);
      const quarter = samples[Math.floor(samples.length / 4)] ?? start;
      const rssAt = [0.25, 0.5, 0.75].map(
        (fraction) => samples[Math.floor(samples.length * fraction)] ?? start,
      );
      const peakFds = Math.max(...samples.map((value) => value.fds));
      console.log(
        [
          `soak: ${elapsed.toFixed(1)} s, ${concurrency} clients: ${counts.requests} requests, ${counts.slowReads} slow 1 MiB reads, ` +
            `${counts.hostile} hostile requests, ${counts.abandoned} abandoned responses, ${counts.failures} failures, ${keepAliveRetries} keep-alive retries`,
          `  start: ${format(start)}`,
          `  RSS at 25/50/75 %: ${rssAt.map((value) => (value.rssBytes / MiB).toFixed(1)).join(' / ')} MiB`,
          `  peak:  RSS ${(peak.rssBytes / MiB).toFixed(1)} MiB, ${peakFds} fds`,
          `  end:   ${format(end)}`,
          `  tolerance: fds ±${tolerance.fds}, heap and buffers +${tolerance.heapBytes / MiB} MiB, ` +
            `RSS +${tolerance.rssGrowthAfterQuarterBytes / MiB} MiB after the first quarter`,
        ].join('\n'),
      );
      expect(failures).toEqual([]);
      expect(counts.failures).toBe(0);
      expect(counts.requests).toBeGreaterThan(0);
      expect(Math.abs(end.fds - start.fds)).toBeLessThanOrEqual(tolerance.fds);
      expect(end.heapBytes - start.heapBytes).toBeLessThanOrEqual(tolerance.heapBytes);
      expect(end.bufferBytes - start.bufferBytes).toBeLessThanOrEqual(tolerance.heapBytes);
      expect(end.rssBytes - quarter.rssBytes).toBeLessThanOrEqual(tolerance.rssGrowthAfterQuarterBytes);
      child.kill('SIGTERM');
    },
    (seconds + 90) * 1000,
  );
});

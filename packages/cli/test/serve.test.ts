/** `tsgi serve` over real sockets: the built command, spawned with node, serving a fixture application. */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListeningProcess } from '../../../test-support/listening-process.js';
import { fixture, serveTsgi } from './tsgi-process.js';

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await request(url, { headers });
  return { status: response.statusCode, text: await response.body.text() };
}

describe.each([
  ['inline', [], /Hello from the main thread/, /\(executor: inline\)/],
  ['thread', ['--workers', '2'], /Hello from worker thread #\d+/, /\(executor: thread, 2 workers\)/],
] as const)('tsgi serve --executor %s', (executor, extra, hello, banner) => {
  let tsgi: ListeningProcess;
  beforeAll(async () => {
    tsgi = await serveTsgi([
      `${fixture('app.mjs')}#app`,
      '--executor',
      executor,
      ...extra,
      '--max-body-size',
      '1kb',
      '--xheaders',
      '--trusted-downstream',
      '127.0.0.1,10.0.0.0/8',
      '--access-log',
      '--limit-request-line',
      '200',
      '--limit-request-fields',
      '20',
      '--limit-request-field-size',
      '1kb',
    ]);
  });
  afterAll(async () => {
    await tsgi?.stop();
  });

  it('prints where it listens, like gunicorn', () => {
    expect(tsgi.output()).toMatch(/^\[\d+\] Listening at: http:\/\/127\.0\.0\.1:\d+ /m);
    expect(tsgi.output()).toMatch(banner);
  });

  it('serves the application', async () => {
    const { status, text } = await get(`${tsgi.url}/`);
    expect(status).toBe(200);
    expect(text).toMatch(hello);
  });

  it('honours --max-body-size', async () => {
    const small = await request(`${tsgi.url}/upload`, { method: 'POST', body: 'x'.repeat(1000) });
    expect(await small.body.text()).toBe('1000 bytes\n');
    const large = await request(`${tsgi.url}/upload`, { method: 'POST', body: 'x'.repeat(1025) });
    await large.body.dump();
    expect(large.statusCode).toBe(413);
  });

  it('honours --limit-request-line, --limit-request-fields and --limit-request-field-size', async () => {
    expect((await get(`${tsgi.url}/${'a'.repeat(150)}`)).status).toBe(404);
    expect((await get(`${tsgi.url}/${'a'.repeat(200)}`)).status).toBe(414);
    const fields = (count: number) =>
      Object.fromEntries(Array.from({ length: count }, (_, i) => [`x-${i}`, 'v']));
    expect((await get(`${tsgi.url}/`, fields(10))).status).toBe(200);
    expect((await get(`${tsgi.url}/`, fields(20))).status).toBe(431);
    expect((await get(`${tsgi.url}/`, { 'x-big': 'b'.repeat(1017) })).status).toBe(200);
    expect((await get(`${tsgi.url}/`, { 'x-big': 'b'.repeat(1018) })).status).toBe(431);
  });

  it('honours --xheaders from --trusted-downstream peers', async () => {
    const { text } = await get(`${tsgi.url}/remote`, {
      'X-Forwarded-For': '203.0.113.9',
      'X-Forwarded-Proto': 'https',
    });
    expect(text).toBe('203.0.113.9 https\n');
  });

  it('writes an access log line with --access-log', async () => {
    await get(`${tsgi.url}/?logged=yes`);
    for (let attempt = 0; attempt < 50 && !/200 GET \/\?logged=yes/.test(tsgi.output()); attempt++)
      await sleep(100);
    expect(tsgi.output()).toMatch(/200 GET \/\?logged=yes \(127\.0\.0\.1\) [\d.]+ms/);
  });
});

describe('tsgi serve shutting down', () => {
  it.each(['inline', 'thread'])(
    'on SIGTERM lets a request in flight finish, then exits 0 (%s)',
    async (executor) => {
      const mark = join(mkdtempSync(join(tmpdir(), 'tsgi-cli-')), 'started');
      const tsgi = await serveTsgi([fixture('app.mjs'), '--executor', executor, '--workers', '1'], {
        TSGI_FIXTURE_MARK: mark,
        TSGI_FIXTURE_SLOW_MS: '1500',
      });
      const slow = get(`${tsgi.url}/slow`);
      while (!existsSync(mark)) await sleep(20);
      const exit = tsgi.stop('SIGTERM');
      expect(await slow).toEqual({ status: 200, text: 'slow and done\n' });
      expect(await exit).toEqual({ code: 0, signal: null });
      await expect(get(`${tsgi.url}/`)).rejects.toThrow();
    },
    30_000,
  );

  it('serves from several processes with --processes 2 and stops them all on SIGTERM', async () => {
    const tsgi = await serveTsgi([fixture('app.mjs'), '--processes', '2', '--executor', 'inline']);
    expect(tsgi.output()).toMatch(/2 processes/);
    const { status, text } = await get(`${tsgi.url}/`);
    expect(status).toBe(200);
    expect(text).toMatch(/Hello from the main thread of process \d+/);
    expect(await tsgi.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  }, 30_000);
});

describe('tsgi serve against stuck and memory-hungry applications', () => {
  let tsgi: ListeningProcess;
  beforeAll(async () => {
    tsgi = await serveTsgi([
      fixture('app.mjs'),
      '--workers',
      '2',
      '--timeout',
      '1s',
      '--worker-heap-limit',
      '64mb',
    ]);
  });
  afterAll(async () => {
    await tsgi?.stop();
  });

  it.each(['/spin', '/wait-forever'])(
    '%s: after --timeout the request gets a 500, the worker is replaced with a log line, the server serves on',
    async (path) => {
      const started = performance.now();
      const [first, second] = await Promise.all([get(`${tsgi.url}${path}`), get(`${tsgi.url}${path}`)]);
      const elapsed = performance.now() - started;
      expect([first.status, second.status]).toEqual([500, 500]);
      expect(elapsed).toBeGreaterThanOrEqual(950);
      // Terminating a thread and answering is prompt; the margin only absorbs a loaded machine.
      expect(elapsed).toBeLessThan(10_000);
      expect(await get(`${tsgi.url}/`)).toMatchObject({ status: 200 });
      expect(tsgi.output()).toMatch(
        new RegExp(
          `WorkTimeoutError: GET ${path} \\(127\\.0\\.0\\.1\\): The work ran longer than 1000 ms; its worker thread was terminated and replaced`,
        ),
      );
    },
    30_000,
  );

  it('a request past --worker-heap-limit gets a 500, its worker is replaced with a log line', async () => {
    const { status } = await get(`${tsgi.url}/hog`);
    expect(status).toBe(500);
    expect(await get(`${tsgi.url}/`)).toMatchObject({ status: 200 });
    expect(tsgi.output()).toMatch(/WorkerCrashedError: GET \/hog \(127\.0\.0\.1\): .*ran out of memory/);
  }, 30_000);
});

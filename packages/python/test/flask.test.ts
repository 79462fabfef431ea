// A real Flask site (Debian's python3-flask, installed by scripts/ensure-python-flask.sh) on two interpreters,
// mounted under /site beside a native route. Skipped, with the reason printed, when Flask cannot be installed.
import { WSGIContainer } from '@tsgi/container';
import { ThreadPoolExecutor } from '@tsgi/executors';
import { HTTPServer, Rule, RuleRouter } from '@tsgi/http-server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pythonApplication } from '../src/index.js';
import { distPackages, fixtures, flaskAvailability, type MemoryLogger, memoryLogger } from './helpers.js';

const flask = flaskAvailability();
if (!flask.available) console.warn(`skipping the Flask tests: ${flask.reason}`);

describe.skipIf(!flask.available)('Flask', () => {
  let url = '';
  let logger: MemoryLogger;
  let close: () => Promise<void>;

  beforeAll(async () => {
    logger = memoryLogger();
    const executor = new ThreadPoolExecutor({ maxWorkers: 2 });
    const site = new WSGIContainer(
      pythonApplication('flask_site:app', { chdir: fixtures, path: [distPackages] }),
      {
        executor,
        logger,
      },
    );
    const server = new HTTPServer(
      new RuleRouter([
        ['/native', (request) => request.connection.respond(200, 'native\n')],
        new Rule('/site(/.*)?', site, { mount: '/site' }),
      ]),
      { logger },
    );
    const started = performance.now();
    const { port } = await server.listen(0, '127.0.0.1');
    const loadSeconds = (performance.now() - started) / 1000;
    url = `http://127.0.0.1:${port}`;
    close = async () => {
      await server.close({ timeoutMs: 0 });
      await executor.close();
    };
    console.info(`Flask on two interpreters loaded in ${loadSeconds.toFixed(1)} s`);
  });
  afterAll(() => close?.());

  test('a route answers, beside a native route', async () => {
    expect(await fetch(`${url}/site/`).then((response) => response.text())).toBe('Hello from Flask');
    expect(await fetch(`${url}/native`).then((response) => response.text())).toBe('native\n');
  });

  test('request data: query, form, JSON, the mount as script_root', async () => {
    const query = await fetch(`${url}/site/json?a=1&b=caf%C3%A9`).then((response) => response.json());
    expect(query).toMatchObject({
      method: 'GET',
      args: { a: '1', b: 'café' },
      script_root: '/site',
      path: '/json',
      multithread: true,
    });
    const form = await fetch(`${url}/site/json`, {
      method: 'POST',
      body: new URLSearchParams({ name: 'Ada' }),
    });
    expect(await form.json()).toMatchObject({ method: 'POST', form: { name: 'Ada' } });
    const json = await fetch(`${url}/site/json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ list: [1, 2, 3] }),
    });
    expect(await json.json()).toMatchObject({ json: { list: [1, 2, 3] } });
  });

  test('a multipart upload streams into request.files', async () => {
    const form = new FormData();
    form.set('field', 'value');
    form.set('file', new Blob([new Uint8Array(1_500_000).fill(7)]), 'data.bin');
    const response = await fetch(`${url}/site/upload`, { method: 'POST', body: form });
    expect(await response.json()).toEqual({ name: 'data.bin', size: 1_500_000, field: 'value' });
  });

  test('a streamed response, cookies, and a 404', async () => {
    const stream = await fetch(`${url}/site/stream`);
    expect(stream.headers.get('transfer-encoding')).toBe('chunked');
    expect(await stream.text()).toBe('part 0\npart 1\npart 2\n');
    const cookie = await fetch(`${url}/site/cookie`);
    expect(cookie.headers.get('set-cookie')).toMatch(/^flavour=oatmeal; Path=\//);
    expect((await fetch(`${url}/site/nowhere`)).status).toBe(404);
  });

  test("a failing view is Flask's own 500, its traceback logged through wsgi.errors", async () => {
    const response = await fetch(`${url}/site/fail`);
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('Internal Server Error');
    expect(logger.errors()).toContain('RuntimeError: a Flask view failed');
    expect(logger.errors()).toContain('Exception on /fail [GET]');
  });
});

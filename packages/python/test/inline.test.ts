// The same application on the InlineExecutor (one interpreter on the event loop), and the one-line errors of
// an application that does not load.
import { InlineExecutor, ModuleLoadError, ThreadPoolExecutor } from '@tsgi/executors';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pythonApplication } from '../src/index.js';
import { eventually, fixtures, type PythonServer, readThenLeave, servePython } from './helpers.js';

describe('on the event loop', () => {
  let server: PythonServer;
  beforeAll(async () => {
    server = await servePython('wsgi_app:application', new InlineExecutor());
  });
  afterAll(() => server?.close());

  test('serves, with wsgi.multithread false', async () => {
    const response = await fetch(`${server.url}/environ`);
    const environ = (await response.json()) as Record<string, unknown>;
    expect(environ['wsgi.multithread']).toBe(false);
    expect(await fetch(`${server.url}/hello`).then((reply) => reply.text())).toBe('Hello from Python');
  });

  test('a client that stops reading stops the iteration (backpressure), and leaving calls close()', async () => {
    // /endless yields 64 KiB chunks forever; the client reads ~1 MiB then leaves.
    await readThenLeave(
      server.port,
      'GET /endless HTTP/1.1\r\nHost: x\r\n\r\n',
      (received) => received > 1 << 20,
    );
    await eventually(() => server.recorded().includes('closed endless'), 'close() after the disconnect');
    // The event loop stayed free meanwhile.
    expect(await fetch(`${server.url}/hello`).then((reply) => reply.status)).toBe(200);
  });

  test('a crashed interpreter is replaced: a 500 meanwhile, then answers again', async () => {
    expect((await fetch(`${server.url}/crash`)).status).toBe(500);
    const deadline = Date.now() + 60_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      status = (await fetch(`${server.url}/hello`)).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(200);
    expect(server.logger.errors()).toContain('The Python interpreter died');
  });
});

describe('an application that does not load', () => {
  const load = async (app: string, options = {}) => {
    const executor = new InlineExecutor();
    try {
      await executor.load([pythonApplication(app, { chdir: fixtures, ...options })]);
      return undefined;
    } catch (error) {
      return error as Error;
    } finally {
      await executor.close();
    }
  };

  test.each([
    ['no_such_module:app', /Python module 'no_such_module' not found \(No module named 'no_such_module'\)/],
    ['wsgi_app:missing', /Python module 'wsgi_app' has no attribute 'missing' \(it has: .*application/],
    ['wsgi_app:not_callable', /'wsgi_app:not_callable' is a str, not a WSGI callable/],
    [
      'import_error:application',
      /importing 'import_error' failed: ModuleNotFoundError: No module named 'a_module_that_does_not_exist' \(add the directory/,
    ],
  ])('%s: a one-line reason', async (app, reason) => {
    const error = await load(app);
    expect(error).toBeInstanceOf(ModuleLoadError);
    expect(error?.message).toMatch(reason);
    expect(error?.message).toContain('PythonLoadError: ');
  });

  test('a syntax error names the file and line, with the traceback', async () => {
    const error = await load('syntax_error:application');
    expect(error?.message).toMatch(
      /importing 'syntax_error' failed: SyntaxError: expected ':' \(.*syntax_error\.py, line 1\)\n {2}File ".*syntax_error\.py", line 1\n/,
    );
    expect(error?.message).toContain('def application(environ, start_response)');
  });

  test('a factory call with literal arguments builds the application', async () => {
    const server = await servePython("wsgi_app:factory('hi there')", new InlineExecutor());
    try {
      expect(await fetch(`${server.url}/`).then((reply) => reply.text())).toBe('hi there');
    } finally {
      await server.close();
    }
  });

  test('the thread pool refuses to start with the same reason', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    try {
      await expect(pool.load([pythonApplication('wsgi_app:missing', { chdir: fixtures })])).rejects.toThrow(
        /has no attribute 'missing'/,
      );
    } finally {
      await pool.close();
    }
  });
});

describe('pythonApplication() checks what it can at once', () => {
  test.each([
    ['', /module:callable/],
    ['not a module', /module:callable/],
    ['1abc:app', /module:callable/],
  ])('%j is not an application spec', (spec, message) => {
    expect(() => pythonApplication(spec)).toThrow(message);
  });

  test('missing directories are named', () => {
    expect(() => pythonApplication('app:app', { chdir: '/no/such/dir' })).toThrow(
      'The Python working directory /no/such/dir does not exist',
    );
    expect(() => pythonApplication('app:app', { chdir: fixtures, path: ['/no/such/lib'] })).toThrow(
      'The Python path entry /no/such/lib does not exist',
    );
    expect(() =>
      pythonApplication('app:app', { chdir: fixtures, mounts: [{ hostPath: fixtures, path: '/' }] }),
    ).toThrow(/Cannot mount .* at \//);
  });

  test('the reference is the gateway module, its configuration in the URL', () => {
    const reference = pythonApplication('wsgi_app:application', { chdir: fixtures });
    expect(reference).toBeInstanceOf(URL);
    expect(reference.pathname).toMatch(/\/dist\/python-gateway\.js$/);
    const config = JSON.parse(reference.searchParams.get('config')!) as { app: string; chdir: string };
    expect(config.app).toBe('wsgi_app:application');
    expect(config.chdir).toBe(fixtures.replace(/\/$/, ''));
  });
});

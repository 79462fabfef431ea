// A pure-Python WSGI application (test/fixtures/wsgi_app.py) on a ThreadPoolExecutor of two interpreters,
// over real sockets: PEP 3333 on the Python side, streaming both ways, close(), errors, exc_info, a crash.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ThreadPoolExecutor } from '@tsgi/executors';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  eventually,
  fixtures,
  type PythonServer,
  rawExchange,
  readThenLeave,
  servePython,
} from './helpers.js';

let server: PythonServer;

beforeAll(async () => {
  server = await servePython('wsgi_app:application', new ThreadPoolExecutor({ maxWorkers: 2 }));
});
afterAll(() => server?.close());

describe('environ', () => {
  test('is a dict of native str for the CGI keys, with the wsgi.* values PEP 3333 names', async () => {
    const response = await fetch(`${server.url}/environ/caf%C3%A9?q=1&r=%20`, {
      headers: { 'X-Custom': 'one', Cookie: 'a=b' },
    });
    expect(response.status).toBe(200);
    const environ = (await response.json()) as Record<string, unknown> & { types: Record<string, string> };
    for (const key of [
      'REQUEST_METHOD',
      'SCRIPT_NAME',
      'PATH_INFO',
      'QUERY_STRING',
      'SERVER_NAME',
      'SERVER_PORT',
      'SERVER_PROTOCOL',
      'REMOTE_ADDR',
      'HTTP_HOST',
      'HTTP_X_CUSTOM',
      'HTTP_COOKIE',
      'wsgi.url_scheme',
    ]) {
      expect(environ.types[key], key).toBe('str');
    }
    expect(environ.REQUEST_METHOD).toBe('GET');
    // PEP 3333: PATH_INFO is decoded as latin-1, one code point per byte of the UTF-8 request.
    expect(environ.PATH_INFO).toBe('/environ/caf\u00c3\u00a9');
    expect(environ.QUERY_STRING).toBe('q=1&r=%20');
    expect(environ.HTTP_X_CUSTOM).toBe('one');
    expect(environ.SERVER_PORT).toBe(String(server.port));
    expect(environ['wsgi.version']).toEqual({ tuple: [1, 0] });
    expect(environ['wsgi.url_scheme']).toBe('http');
    expect(environ['wsgi.multithread']).toBe(true);
    expect(environ['wsgi.multiprocess']).toBe(false);
    expect(environ['wsgi.run_once']).toBe(false);
    expect(environ.types['wsgi.input']).toBe('InputStream');
    expect(environ['wsgi.input']).toEqual({
      object: 'InputStream',
      methods: ['__iter__', 'read', 'readline', 'readlines'],
    });
    expect(environ['wsgi.errors']).toEqual({
      object: 'ErrorStream',
      methods: ['flush', 'write', 'writelines'],
    });
  });

  test('header values keep their latin-1 bytes, and a NUL in PATH_INFO survives', async () => {
    const reply = await rawExchange(
      server.port,
      Buffer.from(
        'GET /environ/a%00b HTTP/1.1\r\nHost: x\r\nX-Latin: caf\xe9\r\nConnection: close\r\n\r\n',
        'latin1',
      ),
    );
    const environ = JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)) as Record<string, string>;
    expect(environ.PATH_INFO).toBe('/environ/a\u0000b');
    expect(environ.HTTP_X_LATIN).toBe('caf\u00e9');
  });
});

describe('the request body', () => {
  test('streams through read(n) and out as chunks, byte for byte', async () => {
    const body = randomBytes(3 * 1024 * 1024 + 17);
    const response = await fetch(`${server.url}/echo`, { method: 'POST', body });
    expect(response.status).toBe(200);
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    const echoed = Buffer.from(await response.arrayBuffer());
    expect(echoed.length).toBe(body.length);
    expect(createHash('sha256').update(echoed).digest('hex')).toBe(
      createHash('sha256').update(body).digest('hex'),
    );
  });

  test('is a file object: read(n), readline(), readline(size), readlines(hint), iteration', async () => {
    const response = await fetch(`${server.url}/input`, {
      method: 'POST',
      body: 'abcdef\nline two\nthird\nfourth\nfifth\nsixth\n',
    });
    expect(await response.json()).toEqual({
      read3: 'abc',
      readline: 'def\n',
      readline2: 'li',
      rest_of_line: 'ne two\n',
      readlines_hint: ['third\n'],
      iterated: ['fourth\n', 'fifth\n'],
      after_end: '',
    });
  });

  test('read() with no size returns the whole body, also past the staging buffer', async () => {
    const body = Buffer.alloc(300_000, 'z');
    body.write('START', 0);
    body.write('THEEND!!', body.length - 8);
    const response = await fetch(`${server.url}/read-all`, { method: 'POST', body });
    expect(await response.text()).toBe('300000 STARTzzzTHEEND!!');
  });
});

describe('the response', () => {
  test('write() data and the returned list go out together with a computed Content-Length', async () => {
    const response = await fetch(`${server.url}/write`);
    expect(await response.text()).toBe('abc');
    expect(response.headers.get('content-length')).toBe('3');
  });

  test('a generator streams chunked', async () => {
    const response = await fetch(`${server.url}/generator`);
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    expect(await response.text()).toBe('chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\n');
  });

  test('chunks larger than the staging buffer arrive whole', async () => {
    const response = await fetch(`${server.url}/large-chunk`);
    const body = Buffer.from(await response.arrayBuffer());
    const expected = Buffer.alloc(256 * 1024);
    for (let index = 0; index < expected.length; index++) expected[index] = index % 256;
    expect(body.equals(Buffer.concat([expected, expected]))).toBe(true);
  });

  test('close() is called after the body', async () => {
    const response = await fetch(`${server.url}/closing`);
    expect(await response.text()).toBe('one two');
    await eventually(() => server.recorded().includes('closed closing'), 'close()');
  });

  test('close() is called when the client leaves in the middle of an endless body', async () => {
    await readThenLeave(
      server.port,
      'GET /endless HTTP/1.1\r\nHost: x\r\n\r\n',
      (received) => received > 200_000,
    );
    await eventually(() => server.recorded().includes('closed endless'), 'close() after the disconnect');
  });

  test('HEAD gets the headers of GET and no body', async () => {
    const reply = await rawExchange(
      server.port,
      'HEAD /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(reply).toMatch(/\r\ncontent-length: 17\r\n/i);
    expect(reply.endsWith('\r\n\r\n')).toBe(true);
  });
});

describe('errors', () => {
  test('an exception is a 500, and the log has the Python traceback', async () => {
    const response = await fetch(`${server.url}/error`);
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('ValueError');
    const log = server.logger.errors();
    expect(log).toContain('Traceback (most recent call last):');
    expect(log).toContain(`File "${join(fixtures, 'wsgi_app.py')}", line`);
    expect(log).toContain('ValueError: the application failed on purpose');
    // The gateway's own frames are left out.
    expect(log).not.toMatch(/_tsgi_gateway\.py", line \d+, in call/);
  });

  test('an exception while streaming aborts the response and still calls close()', async () => {
    const reply = await rawExchange(server.port, 'GET /error-in-iteration HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(reply).toContain('partial');
    expect(reply).not.toMatch(/\r\n0\r\n\r\n$/); // no clean end of the chunked body
    await eventually(() => server.recorded().includes('closed error-in-iteration'), 'close()');
    expect(server.logger.errors()).toContain('RuntimeError: failed while streaming');
  });

  test("a request's wsgi.input kept past its end raises OSError in a later request; its wsgi.errors still writes", async () => {
    // Two interpreters: keep an environ on each, then use them from later requests.
    for (let index = 0; index < 4; index++) await (await fetch(`${server.url}/keep`)).text();
    const outcomes = new Set<string>();
    for (let index = 0; index < 4; index++) {
      const response = await fetch(`${server.url}/kept`);
      expect(response.status).toBe(200);
      outcomes.add(await response.text());
    }
    outcomes.delete('nothing kept here');
    expect([...outcomes]).toEqual([
      'OSError: reading the request body failed: Error: this request is over: its start_response, write() and wsgi.input no longer work',
    ]);
  });

  test('wsgi.errors lines reach the logger', async () => {
    const response = await fetch(`${server.url}/errors-stream`);
    expect(await response.text()).toBe('logged');
    await eventually(() => server.logger.errors().includes('second line'), 'the flushed line');
    expect(server.logger.lines.map((line) => line.text)).toEqual(
      expect.arrayContaining(['first line from wsgi.errors', 'second line']),
    );
  });

  test('start_response with exc_info before any output replaces the response', async () => {
    const response = await fetch(`${server.url}/exc-info-before`);
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('sorry');
  });

  test('start_response with exc_info after output re-raises: the connection is aborted, the error logged', async () => {
    const reply = await rawExchange(server.port, 'GET /exc-info-after HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(reply).toContain('first chunk, already sent');
    expect(reply).not.toContain('never');
    await eventually(() => server.logger.errors().includes('LookupError: too late'), 'the re-raised error');
  });

  test.each([
    ['/bad-header', 'TypeError: start_response() header names and values must be str'],
    ['/bad-header-value', 'X-Bad'],
    ['/str-chunk', 'TypeError: a response chunk must be bytes, got str'],
  ])('%s is an application error: 500 and a log line', async (path, logged) => {
    const response = await fetch(`${server.url}${path}`);
    expect(response.status).toBe(500);
    await response.text();
    expect(server.logger.errors()).toContain(logged);
  });
});

describe('the host filesystem', () => {
  test('the working directory is read-only, the host outside the mounts is invisible, a writable mount is writable', async () => {
    const response = await fetch(`${server.url}/files`);
    const seen = (await response.json()) as Record<string, string>;
    expect(seen.chdir).toBe('OSError: Read-only file system');
    expect(seen.host).toBe('FileNotFoundError');
    expect(seen.writable).toBe('written');
    expect(seen.cwd).toBe(fixtures.replace(/\/$/, ''));
    expect(seen.sys_path_0).toBe(fixtures.replace(/\/$/, ''));
    expect(readFileSync(join(server.events, 'written.txt'), 'utf8')).toBe('yes');
  });
});

describe('a crashed interpreter', () => {
  test('fails its request with a 500, and a fresh interpreter serves the next ones', async () => {
    const pid = async (query = '') => {
      const response = await fetch(`${server.url}/pid${query}`);
      expect(response.status).toBe(200);
      return response.text();
    };
    // Both workers' interpreters: requests sent together run on both threads.
    const before = new Set<string>();
    for (let attempt = 0; attempt < 20 && before.size < 2; attempt++) {
      for (const interpreter of await Promise.all([pid('?busy'), pid('?busy'), pid('?busy')])) {
        before.add(interpreter);
      }
    }
    expect(before.size).toBe(2);
    const crashed = await fetch(`${server.url}/crash`);
    expect(crashed.status).toBe(500);
    await crashed.text();
    expect(server.recorded().some((line) => line.startsWith('crashing '))).toBe(true);
    // The pool replaces the worker (its interpreter loads in a few seconds); the other keeps answering.
    const deadline = Date.now() + 60_000;
    let fresh: string | undefined;
    while (fresh === undefined && Date.now() < deadline) {
      for (const interpreter of await Promise.all([pid('?busy'), pid('?busy')])) {
        if (!before.has(interpreter)) fresh = interpreter;
      }
    }
    expect(fresh).toBeDefined();
    expect(server.logger.errors()).toMatch(/WorkerCrashedError|worker/i);
  });
});

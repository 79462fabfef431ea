// Cases 31–47 and 49 of the gateway checklist (docs/gateway-checklist.md) over real loopback sockets.

import { request as httpRequest } from 'node:http';
import { HTTPServer } from '@tsgi/http-server';
import { afterEach, describe, expect, test } from 'vitest';
import { testLogger } from '../../../test-support/test-logger.js';
import { type WSGIApplication, WSGIContainer, type WSGIContainerOptions } from '../src/index.js';
import { rawExchange } from './helpers.js';
import { serve, type TestServer } from './serve.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const text = (value: string) => new TextEncoder().encode(value);
const plain: Array<[string, string]> = [['Content-Type', 'text/plain']];

async function start(app: WSGIApplication, options: WSGIContainerOptions = {}) {
  const logger = testLogger();
  const container = new WSGIContainer(app, { logger, ...options });
  server = await serve(container);
  return { logger, container, server };
}

/** A HEAD-capable request with node:http; resolves with status, headers and body. */
function fetchRaw(url: string, method = 'GET') {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  }>((resolve, reject) => {
    const request = httpRequest(url, { method, agent: false }, (response) => {
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () =>
        resolve({
          status: response.statusCode!,
          headers: response.headers,
          body: Buffer.concat(parts).toString(),
        }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}

describe('a successful response', () => {
  test('31: an array gets a computed Content-Length, Server and Date; validator-clean', async () => {
    const { logger } = await start(
      (_environ, startResponse) => {
        startResponse('200 OK', plain);
        return [text('Hello world!')];
      },
      { validate: true },
    );
    const response = await fetch(`${server!.url}/simple`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe('12');
    expect(response.headers.get('server')).toMatch(/^tsgi\/\d+\.\d+\.\d+/);
    expect(response.headers.get('date')).toBeTruthy();
    expect(response.headers.get('transfer-encoding')).toBeNull();
    expect(await response.text()).toBe('Hello world!');
    expect(logger.lines.filter((line) => line.level !== 'info')).toEqual([]);
  });

  test('32: no Content-Type gets Tornado’s default, or none when defaultContentType is null', async () => {
    const app: WSGIApplication = (_environ, startResponse) => {
      startResponse('200 OK', []);
      return [text('WSGI')];
    };
    await start(app);
    expect((await fetch(server!.url)).headers.get('content-type')).toBe('text/html; charset=UTF-8');
    await server!.close();
    await start(app, { defaultContentType: null });
    expect((await fetch(server!.url)).headers.get('content-type')).toBeNull();
  });

  test('the application’s own Server header is kept', async () => {
    await start((_environ, startResponse) => {
      startResponse('200 OK', [...plain, ['Server', 'mine']]);
      return [];
    });
    const response = await fetch(server!.url);
    expect(response.headers.get('server')).toBe('mine');
    expect(response.headers.get('content-length')).toBe('0');
  });

  test('33: write() data comes first, then the iterable; empty chunks send nothing', async () => {
    await start((environ, startResponse) => {
      const write = startResponse('200 OK', plain);
      if (environ.PATH_INFO === '/write') {
        write(text('A'));
        write(text('B'));
        return [text('C')];
      }
      return [text(''), text('a'), text(''), text('b')];
    });
    const written = await fetch(`${server!.url}/write`);
    expect(written.headers.get('content-length')).toBe('3');
    expect(await written.text()).toBe('ABC');
    expect(await (await fetch(`${server!.url}/empty-chunks`)).text()).toBe('ab');
  });

  test('a generator is sent chunked on HTTP/1.1 and close-delimited on HTTP/1.0', async () => {
    await start((_environ, startResponse) => {
      startResponse('200 OK', plain);
      return (function* () {
        yield text('one ');
        yield text('two');
      })();
    });
    const eleven = await rawExchange(server!.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(eleven).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(eleven).toMatch(/transfer-encoding: chunked/i);
    expect(eleven.endsWith('0\r\n\r\n')).toBe(true);
    const ten = await rawExchange(server!.port, 'GET / HTTP/1.0\r\n\r\n');
    expect(ten).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(ten).not.toMatch(/transfer-encoding/i);
    expect(ten.endsWith('\r\n\r\none two')).toBe(true);
  });

  test('a string chunk is sent as UTF-8', async () => {
    await start((_environ, startResponse) => {
      startResponse('200 OK', plain);
      return ['caf\u00e9'];
    });
    const response = await fetch(server!.url);
    expect(response.headers.get('content-length')).toBe('5');
    expect(await response.text()).toBe('café');
  });

  test('40: a status without a reason phrase gets the standard one', async () => {
    await start((_environ, startResponse) => {
      startResponse('200', plain);
      return [text('ok')];
    });
    expect(await rawExchange(server!.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 200 OK\r\n/,
    );
  });
});

describe('bodiless responses', () => {
  test('35: HEAD gets the headers with the computed Content-Length, no body, and the connection stays usable', async () => {
    let closed = 0;
    await start((_environ, startResponse) => {
      startResponse('200 OK', plain);
      return Object.assign([text('hello')], { close: () => closed++ });
    });
    const reply = await rawExchange(
      server!.port,
      'HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    const responses = reply.split(/(?=HTTP\/1\.1 )/);
    expect(responses).toHaveLength(2);
    expect(responses[0]).toMatch(/content-length: 5\r\n/i);
    expect(responses[0]!.endsWith('\r\n\r\n')).toBe(true);
    expect(responses[1]!.endsWith('\r\n\r\nhello')).toBe(true);
    expect(closed).toBe(2);
  });

  test('HEAD on a generator stops iterating at the first chunk and calls close()', async () => {
    let pulled = 0;
    let closed = 0;
    await start((_environ, startResponse) => {
      startResponse('200 OK', plain);
      const body = (function* () {
        for (;;) {
          pulled++;
          yield text('x'.repeat(1000));
        }
      })();
      return Object.assign(body, { close: () => closed++ });
    });
    const response = await fetchRaw(server!.url, 'HEAD');
    expect(response.status).toBe(200);
    expect(response.headers['content-length']).toBeUndefined();
    expect(pulled).toBe(1);
    expect(closed).toBe(1);
  });

  test('36: 204 gets neither Content-Length nor Content-Type; 304 keeps what the app sent and gets nothing invented', async () => {
    await start((environ, startResponse) => {
      if (environ.PATH_INFO === '/204') startResponse('204 No Content', [['Content-Length', '0']]);
      else startResponse('304 Not Modified', [['ETag', '"a"']]);
      return [];
    });
    const noContent = await rawExchange(
      server!.port,
      'GET /204 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(noContent).toMatch(/^HTTP\/1\.1 204 No Content\r\n/);
    expect(noContent).not.toMatch(/content-length|content-type|transfer-encoding/i);
    const notModified = await rawExchange(
      server!.port,
      'GET /304 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(notModified).toMatch(/^HTTP\/1\.1 304 Not Modified\r\n/);
    expect(notModified).toMatch(/etag: "a"/i);
    expect(notModified).not.toMatch(/content-length|content-type/i);
  });
});

describe('Content-Length from the application', () => {
  test('37: a body shorter than Content-Length is sent, then the connection closes and an error is logged', async () => {
    const serverLogger = testLogger();
    const container = new WSGIContainer(
      (_environ, startResponse) => {
        startResponse('200 OK', [...plain, ['Content-Length', '10']]);
        return [text('abc')];
      },
      { logger: testLogger() },
    );
    server = await serve(container, undefined, serverLogger);
    const reply = await rawExchange(server!.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(reply).toMatch(/content-length: 10\r\n/i);
    expect(reply.endsWith('\r\n\r\nabc')).toBe(true);
    // The connection owns framing, so the server's connection logs the short body.
    expect(
      serverLogger.lines.some(
        (line) => line.level === 'error' && /short of its Content-Length/.test(line.text),
      ),
    ).toBe(true);
  });

  test('37: a longer body is cut at Content-Length, iteration stops and close() runs', async () => {
    let pulled = 0;
    let closed = 0;
    await start((_environ, startResponse) => {
      startResponse('200 OK', [...plain, ['Content-Length', '2']]);
      const body = (function* () {
        for (const part of ['abc', 'def', 'ghi']) {
          pulled++;
          yield text(part);
        }
      })();
      return Object.assign(body, { close: () => closed++ });
    });
    const response = await fetch(server!.url);
    expect(await response.text()).toBe('ab');
    expect(pulled).toBe(1);
    expect(closed).toBe(1);
  });
});

describe('application errors', () => {
  async function expect500(app: WSGIApplication, pattern: RegExp, options: WSGIContainerOptions = {}) {
    const { logger } = await start(app, options);
    const reply = await rawExchange(
      server!.port,
      'GET /x?y=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(reply).toMatch(/^HTTP\/1\.1 500 Internal Server Error\r\n/);
    expect(reply).toMatch(/content-type: text\/plain; charset=utf-8/i);
    const errors = logger.lines.filter((line) => line.level === 'error').map((line) => line.text);
    expect(errors.some((line) => line.includes('GET /x?y=1 (127.0.0.1)') && pattern.test(line))).toBe(true);
    expect(errors.some((line) => /^500 GET \/x\?y=1 \(127\.0\.0\.1\) \d+\.\d\dms$/.test(line))).toBe(true);
    return reply;
  }

  test('38: a hop-by-hop header is refused inside startResponse', async () => {
    let caught: unknown;
    await expect500((_environ, startResponse) => {
      try {
        startResponse('200 OK', [['Transfer-Encoding', 'chunked']]);
      } catch (error) {
        caught = error;
        throw error;
      }
      return [];
    }, /hop-by-hop/);
    expect((caught as Error).name).toBe('ResponseHeadError');
    await server!.close();
    await expect500((_environ, startResponse) => {
      startResponse('200 OK', [['Connection', 'close']]);
      return [];
    }, /hop-by-hop/);
  });

  test('39: a header value with CR/LF is refused and nothing is injected', async () => {
    const reply = await expect500((_environ, startResponse) => {
      startResponse('200 OK', [['X-A', 'a\r\nInjected: 1']]);
      return [];
    }, /X-A/);
    expect(reply).not.toMatch(/Injected/);
  });

  test('validate: true turns a PEP 3333 violation into a 500 whose log names the rule', async () => {
    await expect500(
      (_environ, startResponse) => {
        startResponse('200 OK', []);
        return [text('no content type')];
      },
      /WSGIValidationError: \[start_response\.content_type\]/,
      { validate: true },
    );
  });

  test('41: an application that throws before startResponse gets a 500 without details', async () => {
    const reply = await expect500(() => {
      throw new Error('boom');
    }, /Error: boom/);
    expect(reply).not.toMatch(/boom/);
  });

  test('41: details only with debug', async () => {
    const reply = await expect500(
      () => {
        throw new Error('boom');
      },
      /boom/,
      { debug: true },
    );
    expect(reply).toMatch(/Error: boom/);
  });

  test('41: returning without calling startResponse is a 500', async () => {
    await expect500(() => [text('x')], /before calling startResponse/);
    await server!.close();
    await expect500(() => [], /without calling startResponse/);
  });

  test('42: startResponse twice without excInfo is a 500', async () => {
    await expect500((_environ, startResponse) => {
      startResponse('200 OK', plain);
      startResponse('500 Oops', plain);
      return [];
    }, /already called/);
  });

  test('45: a chunk that is neither bytes nor a string is a 500; non-iterables too', async () => {
    await expect500((_environ, startResponse) => {
      startResponse('200 OK', plain);
      return [42] as never;
    }, /Uint8Array or a string, got 42/);
    await server!.close();
    await expect500(() => 'text' as never, /must return an iterable/);
  });

  test('43: excInfo before any output replaces the pending response', async () => {
    await start((_environ, startResponse) => {
      startResponse('200 OK', plain);
      try {
        throw new Error('inner');
      } catch (error) {
        startResponse('500 Err', plain, error);
      }
      return [text('err')];
    });
    const reply = await rawExchange(server!.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 500 Err\r\n/);
    expect(reply.endsWith('\r\n\r\nerr')).toBe(true);
  });

  test('43: excInfo drops body data the failed response had queued with write()', async () => {
    await start((_environ, startResponse) => {
      const write = startResponse('200 OK', plain);
      write(text('partial'));
      startResponse('500 Err', plain, new Error('failed half-way'));
      return [text('error page')];
    });
    const response = await fetch(server!.url);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('error page');
  });

  test('43: excInfo after the headers were sent is re-thrown into the app and the connection is aborted', async () => {
    let rethrown: unknown;
    let closed = 0;
    const { logger } = await start((_environ, startResponse) => {
      startResponse('200 OK', plain);
      const body = (function* () {
        yield text('a');
        const failure = new Error('late');
        try {
          startResponse('500 Err', plain, failure);
        } catch (error) {
          rethrown = error;
          throw error;
        }
      })();
      return Object.assign(body, { close: () => closed++ });
    });
    const reply = await rawExchange(server!.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(reply).not.toMatch(/0\r\n\r\n$/);
    expect((rethrown as Error).message).toBe('late');
    expect(closed).toBe(1);
    expect(logger.lines.some((line) => line.level === 'error' && /late/.test(line.text))).toBe(true);
  });

  test('44: an iterator that throws after output: close() is called and the connection aborted', async () => {
    let closed = 0;
    await start((_environ, startResponse) => {
      startResponse('200 OK', plain);
      const body = (function* () {
        yield text('a');
        throw new Error('mid-way');
      })();
      return Object.assign(body, { close: () => closed++ });
    });
    const reply = await rawExchange(server!.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(reply).toMatch(/\r\n\r\n1\r\na\r\n$/);
    expect(closed).toBe(1);
  });

  test('44: an iterator that throws before output: 500 and close() once', async () => {
    let closed = 0;
    await expect500((_environ, startResponse) => {
      startResponse('200 OK', plain);
      const body = (function* (): Generator<Uint8Array> {
        if (closed >= 0) throw new Error('at once');
        yield text('never');
      })();
      return Object.assign(body, { close: () => closed++ });
    }, /at once/);
    expect(closed).toBe(1);
  });

  test('close() that throws after a complete body still finishes the response with an error log', async () => {
    await expect500((_environ, startResponse) => {
      startResponse('200 OK', plain);
      return Object.assign([text('a')], {
        close: () => {
          throw new Error('close failed');
        },
      });
    }, /close failed/);
  });
});

describe('requests the environ refuses', () => {
  test('a malformed Host is a 400 with a short page, logged at warn', async () => {
    const { logger } = await start(() => {
      throw new Error('not reached');
    });
    const reply = await rawExchange(
      server!.port,
      'GET / HTTP/1.1\r\nHost: example.com:abc\r\nConnection: close\r\n\r\n',
    );
    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(logger.lines.some((line) => line.level === 'warn' && line.text.startsWith('400 GET /'))).toBe(
      true,
    );
  });
});

describe('49: the access log', () => {
  test('Tornado’s format at info, warn and error by status', async () => {
    const { logger } = await start((environ, startResponse) => {
      startResponse(environ.PATH_INFO === '/a' ? '200 OK' : '404 Not Found', plain);
      if (environ.PATH_INFO === '/streamed') {
        return (function* () {
          yield text('not ');
          yield text('here');
        })();
      }
      return [text('.')];
    });
    await (await fetch(`${server!.url}/a?x=1`)).text();
    await (await fetch(`${server!.url}/missing`)).text();
    await (await fetch(`${server!.url}/streamed`)).text();
    expect(logger.lines[2]!.text).toMatch(/^404 GET \/streamed /);
    expect(logger.lines[0]!.level).toBe('info');
    expect(logger.lines[0]!.text).toMatch(/^200 GET \/a\?x=1 \(127\.0\.0\.1\) \d+\.\d{2}ms$/);
    expect(logger.lines[1]!.level).toBe('warn');
    expect(logger.lines[1]!.text).toMatch(/^404 GET \/missing \(127\.0\.0\.1\) /);
  });

  test('accessLog: false leaves out successful responses, and keeps 4xx and 5xx lines', async () => {
    const { logger } = await start(
      (environ, startResponse) => {
        startResponse(environ.PATH_INFO === '/a' ? '200 OK' : '404 Not Found', plain);
        return [text('.')];
      },
      { accessLog: false },
    );
    await (await fetch(`${server!.url}/a`)).text();
    await (await fetch(`${server!.url}/missing`)).text();
    expect(logger.lines.map((line) => line.level)).toEqual(['warn']);
    expect(logger.lines[0]!.text).toMatch(/^404 GET \/missing /);
  });

  test('under a server that keeps the access log, each request is logged once, by the server', async () => {
    const logger = testLogger();
    const container = new WSGIContainer(
      (environ, startResponse) => {
        if (environ.PATH_INFO === '/boom') throw new Error('boom');
        startResponse('200 OK', plain);
        return [text('.')];
      },
      { logger },
    );
    const httpServer = new HTTPServer(container, { logger, accessLog: true });
    const { port } = await httpServer.listen(0, '127.0.0.1');
    try {
      await (await fetch(`http://127.0.0.1:${port}/a`)).text();
      await (await fetch(`http://127.0.0.1:${port}/boom`)).text();
    } finally {
      await httpServer.close({ timeoutMs: 0 });
    }
    const access = logger.lines.filter(
      (line) => / (GET|POST) \/\w+ \(/.test(line.text) && !/Uncaught/.test(line.text),
    );
    expect(access.map((line) => line.text.split(' ').slice(1, 4).join(' '))).toEqual([
      '200 GET /a',
      '500 GET /boom',
    ]);
    // The application's traceback is still the container's to log.
    expect(logger.lines.some((line) => /Uncaught exception in gateway application/.test(line.text))).toBe(
      true,
    );
  });

  test('wsgi.errors lines reach the logger', async () => {
    const { logger } = await start((environ, startResponse) => {
      environ['wsgi.errors'].write('first line\nsecond ');
      environ['wsgi.errors'].write('line\n');
      startResponse('200 OK', plain);
      return [];
    });
    await (await fetch(server!.url)).text();
    expect(logger.lines.filter((line) => line.level === 'error').map((line) => line.text)).toEqual([
      'first line',
      'second line',
    ]);
  });
});

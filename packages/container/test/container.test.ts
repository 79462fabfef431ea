// Building a container (executors, module references, ready()), the environ it gives, and the request body.

import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Executor, InlineExecutor, ProcessExecutorRejectedError, QueueFullError } from '@tsgi/executors';
import { HTTPServer } from '@tsgi/http-server';
import { afterEach, describe, expect, test } from 'vitest';
import { testLogger } from '../../../test-support/test-logger.js';
import { type Environ, type WSGIApplication, WSGIContainer } from '../src/index.js';
import { postTooLarge, rawExchange } from './helpers.js';
import { serve, type TestServer } from './serve.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const fixture = fileURLToPath(new URL('./fixtures/hello-app.mjs', import.meta.url));
const plain: Array<[string, string]> = [['Content-Type', 'text/plain']];

function fakeExecutor(kind: string, multithread = kind !== 'inline'): Executor {
  const inline = new InlineExecutor();
  return {
    kind: kind as Executor['kind'],
    multithread,
    load: (modules) => inline.load(modules),
    run: (work) => inline.run(work),
    close: () => inline.close(),
  };
}

describe('construction', () => {
  test('a process-based executor is refused with a reason and an alternative', () => {
    expect(() => new WSGIContainer(() => [], { executor: fakeExecutor('process') })).toThrow(
      ProcessExecutorRejectedError,
    );
    expect(() => new WSGIContainer(() => [], { executor: fakeExecutor('process') })).toThrow(
      /wsgi\.input.*ThreadPoolExecutor.*HTTPServer\.start/s,
    );
  });

  test('something that is not an executor is a TypeError naming what is missing', () => {
    expect(() => new WSGIContainer(() => [], { executor: { kind: 'inline' } as never })).toThrow(
      /Not an Executor: load, run, close, multithread missing/,
    );
  });

  test('a function with a thread executor asks for a module reference', () => {
    expect(() => new WSGIContainer(() => [], { executor: fakeExecutor('thread') })).toThrow(
      /cannot run a function.*module reference/s,
    );
  });

  test('a module reference is loaded by ready() and served', async () => {
    const container = new WSGIContainer(`${fixture}#app`, { logger: testLogger() });
    await container.ready();
    server = await serve(container);
    expect(await (await fetch(`${server.url}/x`)).text()).toBe('hello from /x');
  });

  test('a module reference loads on first use when ready() was not awaited', async () => {
    server = await serve(new WSGIContainer({ module: fixture, export: 'app' }, { logger: testLogger() }));
    expect(await (await fetch(`${server.url}/y`)).text()).toBe('hello from /y');
  });

  test('an application that does not load fails ready(), naming the problem', async () => {
    await expect(new WSGIContainer(`${fixture}#missing`).ready()).rejects.toThrow(
      /no export named "missing"/,
    );
    await expect(new WSGIContainer(`${fixture}#notAFunction`).ready()).rejects.toThrow(/not a function/);
    await expect(new WSGIContainer('./no/such/module.js#app').ready()).rejects.toThrow(/did not load/);
  });

  test('HTTPServer.listen() fails when the application does not load', async () => {
    const container = new WSGIContainer(`${fixture}#missing`, { logger: testLogger() });
    await expect(serve(container)).rejects.toThrow(/no export named "missing"/);
  });

  test('a bad module reference fails at once', () => {
    expect(() => new WSGIContainer(42 as never)).toThrow(TypeError);
  });
});

describe('the environ', () => {
  async function environOf(container: WSGIContainer, request: string): Promise<Record<string, unknown>> {
    server = await serve(container);
    await rawExchange(server.port, request);
    return seen!;
  }
  let seen: Environ | undefined;
  const capture: WSGIApplication = (environ, startResponse) => {
    seen = environ;
    startResponse('200 OK', plain);
    return [];
  };

  test('wsgi.multithread follows the executor; wsgi.multiprocess is false unless the option says so', async () => {
    const environ = await environOf(
      new WSGIContainer(capture, { logger: testLogger() }),
      'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(environ['wsgi.multithread']).toBe(false);
    expect(environ['wsgi.multiprocess']).toBe(false);
    await server!.close();
    const several = await environOf(
      new WSGIContainer(capture, { logger: testLogger(), multiprocess: true }),
      'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(several['wsgi.multiprocess']).toBe(true);
  });

  test('container.environ(request) is an instance method giving the full environ', () => {
    const container = new WSGIContainer(capture, { serverSoftware: 'test/1' });
    const environ = container.environ({
      method: 'POST',
      uri: '/a?b=1',
      version: 'HTTP/1.1',
      rawHeaders: ['Host', 'example.com', 'Content-Length', '5'],
      body: new TextEncoder().encode('hello'),
      remoteIp: '127.0.0.1',
      protocol: 'http',
    });
    expect(environ.PATH_INFO).toBe('/a');
    expect(environ.QUERY_STRING).toBe('b=1');
    expect(environ.SERVER_SOFTWARE).toBe('test/1');
    expect(new TextDecoder().decode(environ['wsgi.input'].read())).toBe('hello');
  });

  test('the request body is wsgi.input', async () => {
    let body = '';
    server = await serve(
      new WSGIContainer(
        (environ, startResponse) => {
          body = new TextDecoder().decode(environ['wsgi.input'].read());
          startResponse('200 OK', plain);
          return [new TextEncoder().encode(String(environ.CONTENT_LENGTH))];
        },
        { logger: testLogger() },
      ),
    );
    const response = await fetch(server.url, { method: 'POST', body: 'hello' });
    expect(await response.text()).toBe('5');
    expect(body).toBe('hello');
  });

  test('a chunked upload is read whole through wsgi.input', async () => {
    let body = '';
    let length: unknown = 'unset';
    server = await serve(
      new WSGIContainer(
        (environ, startResponse) => {
          length = environ.CONTENT_LENGTH;
          body = new TextDecoder().decode(environ['wsgi.input'].read());
          startResponse('200 OK', plain);
          return [];
        },
        { logger: testLogger() },
      ),
    );
    const reply = await rawExchange(
      server.port,
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n' +
        '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
    );
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(body).toBe('hello world');
    expect(length === undefined || length === '11').toBe(true);
  });

  test('under a mount prefix, SCRIPT_NAME is the prefix and PATH_INFO the rest', async () => {
    server = await serve(new WSGIContainer(capture, { logger: testLogger() }), '/app');
    await rawExchange(server.port, 'GET /app/page HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(seen!.SCRIPT_NAME).toBe('/app');
    expect(seen!.PATH_INFO).toBe('/page');
  });
});

describe('47: connection handling', () => {
  test('HTTP/1.0 closes after the body; HTTP/1.1 keeps the connection for the next request', async () => {
    server = await serve(
      new WSGIContainer(
        (_environ, startResponse) => {
          startResponse('200 OK', plain);
          return [new TextEncoder().encode('ok')];
        },
        { logger: testLogger() },
      ),
    );
    expect(await rawExchange(server.port, 'GET / HTTP/1.0\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nok$/,
    );
    const two = await rawExchange(
      server.port,
      'GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(two.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
    expect(two).toMatch(/connection: close/i);
    const kept = await rawExchange(
      server.port,
      'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n',
    );
    expect(kept.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
    expect(kept).toMatch(/connection: keep-alive/i);
  });
});

describe('a run that fails', () => {
  test('a full queue answers 503 at once, logged at warn', async () => {
    const logger = testLogger();
    const busy: Executor = { ...fakeExecutor('inline'), run: () => Promise.reject(new QueueFullError(4)) };
    server = await serve(new WSGIContainer(() => [], { executor: busy, logger }));
    const reply = await rawExchange(server.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(logger.lines.map((line) => line.level)).toEqual(['warn', 'error']);
  });

  test('a crashed run before any output is a 500 with an error line', async () => {
    const logger = testLogger();
    const crashing: Executor = {
      ...fakeExecutor('inline'),
      run: () => Promise.reject(new Error('worker exited')),
    };
    server = await serve(new WSGIContainer(() => [], { executor: crashing, logger }));
    const reply = await rawExchange(server.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 500 Internal Server Error\r\n/);
    expect(logger.lines[0]!.text).toMatch(/GET \/ \(127\.0\.0\.1\)\n.*worker exited/s);
  });
});

describe('timeoutMs', () => {
  test('a response held back past the timeout is aborted, close() runs and the timeout is logged', async () => {
    const logger = testLogger();
    let closed = 0;
    let onClose!: () => void;
    const closeCalled = new Promise<void>((resolve) => {
      onClose = resolve;
    });
    const chunk = new Uint8Array(64 * 1024);
    server = await serve(
      new WSGIContainer(
        (_environ, startResponse) => {
          startResponse('200 OK', plain);
          const body = (function* () {
            for (;;) yield chunk;
          })();
          return Object.assign(body, {
            close: () => {
              closed++;
              onClose();
            },
          });
        },
        { logger, timeoutMs: 300 },
      ),
    );
    const socket = connect(server.port, '127.0.0.1');
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    socket.pause(); // never read: the handler waits for 'drain' until the timeout
    await closeCalled;
    expect(closed).toBe(1);
    // A paused socket does not notice the close: read what was sent, then the end must come.
    socket.on('error', () => {});
    socket.resume();
    await new Promise((resolve) => socket.once('close', resolve));
    expect(logger.lines.some((line) => line.level === 'error' && /longer than 300 ms/.test(line.text))).toBe(
      true,
    );
  });
});

describe('a request body the server refuses', () => {
  test('is answered by the server (413) and not logged as an application error', async () => {
    const logger = testLogger();
    const container = new WSGIContainer(
      (environ, startResponse) => {
        const body = environ['wsgi.input'].read();
        startResponse('200 OK', plain);
        return [body];
      },
      { logger },
    );
    const refusing = new HTTPServer(container, { maxBodySize: 1024, logger });
    const { port } = await refusing.listen(0, '127.0.0.1');
    try {
      expect(await postTooLarge(port)).toMatch(/^HTTP\/1\.1 413 /);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(logger.lines.filter((line) => line.level === 'error')).toEqual([]);
    } finally {
      await refusing.close({ timeoutMs: 0 });
    }
  });
});

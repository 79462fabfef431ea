import { WSGIContainer } from '@tsgi/container';
import type { Environ, StartResponse } from '@tsgi/environ';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { testLogger } from '../../../test-support/test-logger.js';
import { toFetchHandler } from '../src/index.js';
import { waitFor } from './helpers.js';

const encoder = new TextEncoder();

/** Echoes what the application saw of the request. */
const echo = (environ: Environ, startResponse: StartResponse) => {
  const body = new TextDecoder().decode(environ['wsgi.input'].read());
  startResponse('200 OK', [
    ['Content-Type', 'application/json'],
    ['Set-Cookie', 'a=1'],
    ['Set-Cookie', 'b=2'],
  ]);
  return [
    JSON.stringify({
      method: environ.REQUEST_METHOD,
      scriptName: environ.SCRIPT_NAME,
      pathInfo: environ.PATH_INFO,
      query: environ.QUERY_STRING,
      host: environ.HTTP_HOST,
      token: environ.HTTP_X_TOKEN,
      contentLength: environ.CONTENT_LENGTH,
      remote: environ.REMOTE_ADDR,
      scheme: environ['wsgi.url_scheme'],
      body,
    }),
  ];
};

/** An endless body that counts what was pulled and whether `close()` was called. */
function endlessApp() {
  const state = { produced: 0, closed: 0 };
  const app = (_environ: Environ, startResponse: StartResponse) => {
    startResponse('200 OK', [['Content-Type', 'text/plain']]);
    const iterator = {
      [Symbol.iterator]: () => iterator,
      next: () => {
        state.produced++;
        return { done: false, value: encoder.encode(`chunk ${state.produced}\n`.padEnd(16 * 1024, '.')) };
      },
      close: () => {
        state.closed++;
      },
    };
    return iterator;
  };
  return { app, state };
}

describe('toFetchHandler', () => {
  it('serves a gateway app to a Fetch Request: environ, status, headers, body', async () => {
    const handler = toFetchHandler(echo, { remoteAddress: () => '203.0.113.9', logger: testLogger() });
    const response = await handler(
      new Request('https://example.com:8443/caf%C3%A9?x=1', {
        method: 'POST',
        headers: { 'X-Token': 't', 'Content-Type': 'text/plain' },
        body: 'hello',
      }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(response.headers.get('server')).toMatch(/^tsgi\//);
    expect(await response.json()).toEqual({
      method: 'POST',
      scriptName: '',
      pathInfo: '/caf\u00c3\u00a9',
      query: 'x=1',
      host: 'example.com:8443',
      token: 't',
      contentLength: '5',
      remote: '203.0.113.9',
      scheme: 'https',
      body: 'hello',
    });
  });

  it('streams the body: the iterable is pulled as the body is read, and close() runs once on cancel', async () => {
    const { app, state } = endlessApp();
    const response = await toFetchHandler(app, { logger: testLogger() })(new Request('http://localhost/'));
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value).startsWith('chunk 1\n')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // An endless iterable was not drained ahead of the reader: a few 128 KiB batches at most.
    expect(state.produced).toBeLessThan(40);
    await reader.cancel();
    await waitFor(() => state.closed > 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(state.closed).toBe(1);
    const producedAtCancel = state.produced;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(state.produced).toBe(producedAtCancel);
  });

  it("stops when the request's signal aborts: the response rejects and close() runs once", async () => {
    const { app, state } = endlessApp();
    const handler = toFetchHandler(app, { logger: testLogger() });
    const controller = new AbortController();
    const response = await handler(new Request('http://localhost/', { signal: controller.signal }));
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await expect(reader.read()).rejects.toThrow(/cancelled/);
    await waitFor(() => state.closed === 1);

    const early = endlessApp();
    const aborted = AbortSignal.abort();
    await expect(
      toFetchHandler(early.app, { logger: testLogger() })(
        new Request('http://localhost/', { signal: aborted }),
      ),
    ).rejects.toThrow(/cancelled/);
    await waitFor(() => early.state.closed === 1);
    expect(early.state.produced).toBeLessThan(40);
  });

  it('calls close() exactly once when the body is read to the end', async () => {
    let closed = 0;
    const app = (_environ: Environ, startResponse: StartResponse) => {
      startResponse('200 OK', []);
      function* body() {
        yield 'a';
        yield 'b';
      }
      return Object.assign(body(), { close: () => void closed++ });
    };
    const response = await toFetchHandler(app, { logger: testLogger() })(new Request('http://localhost/'));
    expect(await response.text()).toBe('ab');
    expect(closed).toBe(1);
  });

  it('delivers a body written through write() in several large pieces before returning', async () => {
    const app = (_environ: Environ, startResponse: StartResponse) => {
      const write = startResponse('200 OK', [['Content-Type', 'application/octet-stream']]);
      for (let piece = 0; piece < 5; piece++) write(new Uint8Array(100 * 1024).fill(piece));
      return [];
    };
    const response = await toFetchHandler(app, { logger: testLogger() })(new Request('http://localhost/'));
    const body = new Uint8Array(await response.arrayBuffer());
    expect(body.length).toBe(500 * 1024);
    expect(body[0]).toBe(0);
    expect(body[body.length - 1]).toBe(4);
  });

  it('answers 500 for an application that fails before its headers, and logs it', async () => {
    const logger = testLogger();
    const handler = toFetchHandler(
      () => {
        throw new Error('broken app');
      },
      { logger },
    );
    const response = await handler(new Request('http://localhost/x'));
    expect(response.status).toBe(500);
    await response.text();
    expect(logger.text()).toMatch(/broken app/);
  });

  it('errors the body stream when the application fails after its headers', async () => {
    const app = (_environ: Environ, startResponse: StartResponse) => {
      startResponse('200 OK', []);
      function* body() {
        yield 'partial';
        throw new Error('failed midway');
      }
      return body();
    };
    const response = await toFetchHandler(app, { logger: testLogger() })(new Request('http://localhost/'));
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });

  it('answers 500 for a status a Fetch Response cannot carry, and logs it', async () => {
    const logger = testLogger();
    const handler = toFetchHandler(
      (_environ: Environ, startResponse: StartResponse) => {
        startResponse('600 Beyond', []);
        return ['x'];
      },
      { logger },
    );
    const response = await handler(new Request('http://localhost/'));
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('500: Internal Server Error\n');
    expect(logger.text()).toMatch(/cannot be a Fetch Response \(600 Beyond\)/);
  });

  it('answers 413 without calling the application when the body is larger than maxBodySize', async () => {
    let called = false;
    const handler = toFetchHandler(
      (environ, startResponse) => {
        called = true;
        return echo(environ, startResponse);
      },
      { maxBodySize: 8, logger: testLogger() },
    );
    const declared = await handler(new Request('http://localhost/', { method: 'POST', body: 'x'.repeat(9) }));
    expect(declared.status).toBe(413);
    const streamed = await handler(
      new Request('http://localhost/', {
        method: 'POST',
        body: new ReadableStream({
          start(controller) {
            controller.enqueue(encoder.encode('12345'));
            controller.enqueue(encoder.encode('67890'));
            controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit),
    );
    expect(streamed.status).toBe(413);
    expect(called).toBe(false);
  });

  it('gives HEAD and 204 responses no body', async () => {
    const handler = toFetchHandler(
      (environ, startResponse) => {
        startResponse(environ.PATH_INFO === '/none' ? '204 No Content' : '200 OK', [
          ['X-Path', environ.PATH_INFO],
        ]);
        return environ.PATH_INFO === '/none' ? [] : ['body'];
      },
      { logger: testLogger() },
    );
    const head = await handler(new Request('http://localhost/', { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('4');
    expect(head.body).toBeNull();
    const none = await handler(new Request('http://localhost/none'));
    expect(none.status).toBe(204);
    expect(none.body).toBeNull();
  });

  it('uses a WSGIContainer given to it as it is, with its own options (here the validator)', async () => {
    const logger = testLogger();
    const container = new WSGIContainer(
      (_environ: Environ, startResponse: StartResponse) => {
        startResponse('200 OK', [['Content-Type', 'text/plain']]);
        return 'a string, not an iterable of chunks' as unknown as string[];
      },
      { validate: true, logger },
    );
    const response = await toFetchHandler(container)(new Request('http://localhost/'));
    expect(response.status).toBe(500);
    await response.text();
    expect(logger.text()).toMatch(/string/i);
  });

  it('runs inside a Hono app, mounted under a prefix that becomes SCRIPT_NAME', async () => {
    const wsgi = toFetchHandler(echo, { scriptName: '/wsgi', logger: testLogger() });
    const app = new Hono();
    app.get('/hono', (c) => c.text('from hono'));
    app.all('/wsgi/*', (c) => wsgi(c.req.raw));
    const fromHono = await app.request('/hono');
    expect(await fromHono.text()).toBe('from hono');
    const response = await app.request('http://example.com/wsgi/items?page=2', { method: 'PUT', body: 'x' });
    expect(await response.json()).toMatchObject({
      method: 'PUT',
      scriptName: '/wsgi',
      pathInfo: '/items',
      query: 'page=2',
      host: 'example.com',
      body: 'x',
    });
  });
});

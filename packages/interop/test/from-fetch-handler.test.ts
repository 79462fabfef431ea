import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { WSGIContainer } from '@tsgi/container';
import type { Environ, StartResponse } from '@tsgi/environ';
import { RuleRouter } from '@tsgi/http-server';
import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { Response as UndiciResponse, request as undiciRequest } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { testLogger } from '../../../test-support/test-logger.js';
import { fromFetchHandler, toFetchHandler } from '../src/index.js';
import { serve, waitFor } from './helpers.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const gatewayApp = (environ: Environ, startResponse: StartResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return [`gateway ${environ.PATH_INFO}`];
};

/** A Hono app mounted by `fromFetchHandler` beside a `WSGIContainer`, over a real `HTTPServer`. */
async function serveMixed(hono: Hono) {
  const logger = testLogger();
  const router = new RuleRouter([
    ['/api/.*', fromFetchHandler(hono.fetch, { logger })],
    ['.*', new WSGIContainer(gatewayApp, { logger: testLogger() })],
  ]);
  const served = await serve(router);
  closers.push(served.close);
  return { ...served, logger };
}

describe('fromFetchHandler: a Hono app beside a WSGIContainer on HTTPServer', () => {
  it('routes to Hono and to the container, with method, URL, headers and cookies passed through', async () => {
    const hono = new Hono();
    hono.get('/api/hello/:name', (c) => {
      c.header('Set-Cookie', 'a=1', { append: true });
      c.header('Set-Cookie', 'b=2', { append: true });
      return c.json({
        name: c.req.param('name'),
        q: c.req.query('q'),
        token: c.req.header('x-token'),
        url: c.req.url,
      });
    });
    const { url } = await serveMixed(hono);
    const fromHono = await undiciRequest(`${url}/api/hello/ada?q=1`, { headers: { 'X-Token': 'abc' } });
    expect(fromHono.statusCode).toBe(200);
    expect(fromHono.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(await fromHono.body.json()).toEqual({
      name: 'ada',
      q: '1',
      token: 'abc',
      url: `${url}/api/hello/ada?q=1`,
    });
    const fromContainer = await undiciRequest(`${url}/legacy/page`);
    expect(await fromContainer.body.text()).toBe('gateway /legacy/page');
    const head = await undiciRequest(`${url}/api/hello/ada`, { method: 'HEAD' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-type']).toMatch(/^application\/json/);
    expect(await head.body.text()).toBe('');
    const missing = await undiciRequest(`${url}/api/missing`);
    expect(missing.statusCode).toBe(404);
    await missing.body.dump();
  });

  it('streams the request body into the handler as it arrives', async () => {
    const seen: number[] = [];
    const hono = new Hono();
    hono.post('/api/upload', async (c) => {
      let total = 0;
      for await (const chunk of c.req.raw.body!) {
        total += chunk.length;
        seen.push(chunk.length);
      }
      return c.text(`received ${total}`);
    });
    const { url } = await serveMixed(hono);
    let release: () => void = () => {};
    const secondPartAllowed = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* body() {
      yield Buffer.alloc(1000, 'a');
      // The second part is sent only after the handler has read the first: the body is not buffered first.
      await secondPartAllowed;
      yield Buffer.alloc(500, 'b');
    }
    const pending = undiciRequest(`${url}/api/upload`, { method: 'POST', body: Readable.from(body()) });
    await waitFor(() => seen.reduce((sum, length) => sum + length, 0) === 1000);
    release();
    const response = await pending;
    expect(await response.body.text()).toBe('received 1500');
  });

  it("keeps the server's maxBodySize: a streamed body over it is answered 413", async () => {
    let failure = '';
    const hono = new Hono();
    hono.post('/api/upload', async (c) => {
      try {
        await c.req.arrayBuffer();
      } catch (error) {
        failure = String(error);
      }
      return c.text('should not be sent');
    });
    const logger = testLogger();
    const served = await serve(new RuleRouter([['/api/.*', fromFetchHandler(hono.fetch, { logger })]]), {
      maxBodySize: 1000,
    });
    closers.push(served.close);
    async function* body() {
      for (let part = 0; part < 4; part++) yield Buffer.alloc(500, 'x');
    }
    const response = await undiciRequest(`${served.url}/api/upload`, {
      method: 'POST',
      body: Readable.from(body()),
    });
    expect(response.statusCode).toBe(413);
    await response.body.dump();
    await waitFor(() => failure !== '');
  });

  it('answers Expect: 100-continue only when the handler reads the body', async () => {
    const hono = new Hono();
    hono.post('/api/read', async (c) => c.text(`read ${await c.req.text()}`));
    hono.post('/api/ignore', (c) => c.text('not read', 417));
    const { port } = await serveMixed(hono);
    const exchange = (path: string) =>
      new Promise<string>((resolve) => {
        let data = '';
        const socket = connect(port, '127.0.0.1');
        socket.on('data', (chunk) => {
          data += chunk.toString('latin1');
          if (data.startsWith('HTTP/1.1 100 Continue\r\n\r\n') && !socket.writableEnded) socket.end('hello');
        });
        socket.on('close', () => resolve(data));
        socket.on('error', () => {});
        socket.write(
          `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
        );
        setTimeout(() => socket.destroy(), 3000);
      });
    const read = await exchange('/api/read');
    expect(read).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n[\s\S]*\r\nread hello\r\n/);
    const ignored = await exchange('/api/ignore');
    expect(ignored).toMatch(/^HTTP\/1\.1 417 /);
    expect(ignored).not.toContain('100 Continue');
  });

  it('streams the response: each part reaches the client before the next is produced', async () => {
    let release: () => void = () => {};
    const hono = new Hono();
    hono.get('/api/events', (c) =>
      stream(c, async (output) => {
        await output.write('first\n');
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        await output.write('second\n');
      }),
    );
    const { url } = await serveMixed(hono);
    const response = await undiciRequest(`${url}/api/events`);
    const iterator = response.body[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(Buffer.from(first.value).toString()).toBe('first\n');
    release();
    let rest = '';
    for (let step = await iterator.next(); !step.done; step = await iterator.next()) rest += step.value;
    expect(rest).toBe('second\n');
  });

  it('applies backpressure to the response body and cancels it when the client disconnects', async () => {
    const state = { pulled: 0, cancelled: false, aborted: false };
    const hono = new Hono();
    hono.get('/api/endless', (c) => {
      c.req.raw.signal.addEventListener('abort', () => {
        state.aborted = true;
      });
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          state.pulled++;
          controller.enqueue(new Uint8Array(64 * 1024));
        },
        cancel() {
          state.cancelled = true;
        },
      });
      return new Response(body);
    });
    const { port } = await serveMixed(hono);
    const socket = connect(port, '127.0.0.1');
    socket.write('GET /api/endless HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.pause();
    // With the client not reading, production stops once the socket buffers are full (far below 1000 × 64 KiB):
    // wait until the count holds still for 200 ms.
    let previous = -1;
    const deadline = Date.now() + 10_000;
    while (state.pulled !== previous && Date.now() < deadline) {
      previous = state.pulled;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(state.pulled).toBe(previous);
    expect(state.pulled).toBeLessThan(1000);
    socket.destroy();
    await waitFor(() => state.cancelled && state.aborted);
  });

  it('answers 500 and logs when the handler throws, and a Hono error handler still works', async () => {
    const hono = new Hono();
    hono.get('/api/handled', () => {
      throw new Error('caught by hono');
    });
    hono.onError((error, c) => c.text(`hono says: ${error.message}`, 503));
    const { url, logger } = await serveMixed(hono);
    const handled = await undiciRequest(`${url}/api/handled`);
    expect(handled.statusCode).toBe(503);
    expect(await handled.body.text()).toBe('hono says: caught by hono');

    const throwing = fromFetchHandler(
      () => {
        throw new Error('raw handler failed');
      },
      { logger },
    );
    const served = await serve(new RuleRouter([['.*', throwing]]));
    closers.push(served.close);
    const response = await undiciRequest(`${served.url}/x`);
    expect(response.statusCode).toBe(500);
    expect(await response.body.text()).toBe('500: Internal Server Error\n');
    expect(logger.text()).toMatch(/Uncaught exception in Fetch handler: GET \/x .*\n.*raw handler failed/);
  });

  it("accepts a Response from another realm (the undici package's), and answers 500 for a non-Response", async () => {
    const logger = testLogger();
    const router = new RuleRouter([
      [
        '/undici',
        fromFetchHandler(() => new UndiciResponse('from undici', { status: 202 }) as unknown as Response),
      ],
      ['/nothing', fromFetchHandler(() => undefined as unknown as Response, { logger })],
    ]);
    const served = await serve(router);
    closers.push(served.close);
    const accepted = await undiciRequest(`${served.url}/undici`);
    expect(accepted.statusCode).toBe(202);
    expect(await accepted.body.text()).toBe('from undici');
    const nothing = await undiciRequest(`${served.url}/nothing`);
    expect(nothing.statusCode).toBe(500);
    await nothing.body.dump();
    expect(logger.text()).toMatch(/returned undefined, not a Response/);
  });

  it('answers 400 without calling the handler when the Host makes no valid URL', async () => {
    let called = false;
    const served = await serve(
      new RuleRouter([
        [
          '.*',
          fromFetchHandler(() => {
            called = true;
            return new Response('unexpected');
          }),
        ],
      ]),
    );
    closers.push(served.close);
    const reply = await new Promise<string>((resolve) => {
      let data = '';
      const socket = connect(served.port, '127.0.0.1');
      socket.on('data', (chunk) => {
        data += chunk.toString('latin1');
      });
      socket.on('close', () => resolve(data));
      socket.on('error', () => {});
      socket.write('GET /x HTTP/1.1\r\nHost: bad[host\r\nConnection: close\r\n\r\n');
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400 [\s\S]*Failed to parse URL/);
    expect(called).toBe(false);
  });

  it('closes the connection when the response body fails after the headers', async () => {
    const hono = new Hono();
    hono.get('/api/broken', () => {
      let sent = false;
      return new Response(
        new ReadableStream({
          pull(controller) {
            if (sent) controller.error(new Error('body broke'));
            else controller.enqueue(new TextEncoder().encode('partial'));
            sent = true;
          },
        }),
      );
    });
    const { url, logger } = await serveMixed(hono);
    // The client sees a broken response: the socket closes before or during the body, never a clean end.
    const read = async () => (await undiciRequest(`${url}/api/broken`)).body.text();
    await expect(read()).rejects.toThrow();
    expect(logger.text()).toMatch(/response body failed: GET \/api\/broken[\s\S]*body broke/);
  });

  it('serves a gateway app through Hono through HTTPServer: both directions at once', async () => {
    const wsgi = toFetchHandler(gatewayApp, { scriptName: '/api/wsgi', logger: testLogger() });
    const hono = new Hono();
    hono.all('/api/wsgi/*', (c) => wsgi(c.req.raw));
    const { url } = await serveMixed(hono);
    const response = await undiciRequest(`${url}/api/wsgi/inner`);
    expect(await response.body.text()).toBe('gateway /inner');
  });
});

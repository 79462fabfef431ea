import { WSGIContainer } from '@tsgi/container';
import { type HTTPServerRequest, Rule, RuleRouter } from '@tsgi/http-server';
import { request as undiciRequest } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { testLogger } from '../../../test-support/test-logger.js';
import { toWSGIApplication } from '../src/index.js';
import { serve } from './helpers.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function serveApplication(app: ReturnType<typeof toWSGIApplication>, mount?: string) {
  const logger = testLogger();
  const container = new WSGIContainer(app, { logger });
  const router = new RuleRouter([
    mount === undefined ? new Rule('.*', container) : new Rule(`${mount}(/.*)?`, container, { mount }),
  ]);
  const served = await serve(router);
  closers.push(served.close);
  return { ...served, logger };
}

describe('toWSGIApplication served by WSGIContainer over a socket', () => {
  const app = toWSGIApplication([
    [
      '/(?:legacy/)?echo',
      (request) =>
        request.connection.respond(
          200,
          `${request.method} ${request.path}?${request.query} ${request.headers.get('x-token')} ` +
            `cookie=${request.cookies.session} body=${Buffer.from(request.body!).toString()}`,
        ),
    ],
    [
      '/chunks',
      (request) => {
        void request.connection.writeHeaders({ code: 200, reason: 'OK' }, ['Content-Type', 'text/plain']);
        for (let index = 0; index < 3; index++) void request.connection.write(Buffer.from(`${index};`));
        request.connection.finish();
      },
    ],
    [
      '/async',
      async (request) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        await request.connection.respond(200, 'never seen');
      },
    ],
  ]);

  it('answers native handlers through the container: request fields, body, headers, status', async () => {
    const { url } = await serveApplication(app);
    const response = await undiciRequest(`${url}/echo?a=1`, {
      method: 'POST',
      headers: { 'X-Token': 'abc', Cookie: 'session=s1', 'Content-Type': 'text/plain' },
      body: 'payload',
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(await response.body.text()).toBe('POST /echo?a=1 abc cookie=s1 body=payload');
  });

  it('sends the chunks a handler wrote, with the length the container computed', async () => {
    const { url } = await serveApplication(app);
    const response = await undiciRequest(`${url}/chunks`);
    expect(response.headers['content-length']).toBe('6');
    expect(await response.body.text()).toBe('0;1;2;');
  });

  it('answers 404 for a path no rule matches', async () => {
    const { url } = await serveApplication(app);
    const response = await undiciRequest(`${url}/missing`);
    expect(response.statusCode).toBe(404);
    await response.body.dump();
  });

  it('answers 500 for an asynchronous handler and logs why, without hanging', async () => {
    const { url, logger } = await serveApplication(app);
    const response = await undiciRequest(`${url}/async`, { headersTimeout: 5000, bodyTimeout: 5000 });
    expect(response.statusCode).toBe(500);
    await response.body.dump();
    expect(logger.text()).toMatch(
      /toWSGIApplication runs only synchronous handlers: the handler for GET \/async returned a promise/,
    );
  });

  it('routes on the full path when the container is mounted under a prefix', async () => {
    const { url } = await serveApplication(app, '/legacy');
    const response = await undiciRequest(`${url}/legacy/echo`);
    expect(await response.body.text()).toBe('GET /legacy/echo? undefined cookie=undefined body=');
  });
});

describe('one handler, two worlds', () => {
  /**
   * What a handler sees of its request. It is portable: `request.body ?? await request.readBody()` awaits only
   * on the server, where a body may still be arriving; from an environ the body is always there.
   */
  const describeRequest = async (request: HTTPServerRequest) => {
    const body = request.body ?? (await request.readBody());
    await request.connection.respond(
      200,
      JSON.stringify({
        method: request.method,
        uri: request.uri,
        path: request.path,
        query: request.query,
        version: request.version,
        supportsHttp11: request.supportsHttp11(),
        host: request.host,
        hostName: request.hostName,
        protocol: request.protocol,
        remoteIp: request.remoteIp,
        fullUrl: request.fullUrl(),
        cookies: request.cookies,
        repeated: request.headers.get('x-repeated'),
        contentType: request.headers.get('content-type'),
        body: Buffer.from(body).toString('latin1'),
      }),
    );
  };

  it('sees the same request under HTTPServer directly and under toWSGIApplication in a WSGIContainer', async () => {
    const direct = await serve(new RuleRouter([['/.*', describeRequest]]));
    closers.push(direct.close);
    const gateway = await serveApplication(toWSGIApplication([['/.*', describeRequest]]));
    const send = async (base: string) => {
      const response = await undiciRequest(`${base}/a%2Fb/caf%C3%A9/x%20y?q=%20&r=%C3%A9`, {
        method: 'PUT',
        headers: [
          'Cookie',
          'one=1; two="2"',
          'X-Repeated',
          'first',
          'X-Repeated',
          'second',
          'Content-Type',
          'application/octet-stream',
        ],
        body: Buffer.from([0, 1, 2, 255]),
      });
      const seen = (await response.body.json()) as Record<string, unknown>;
      return {
        ...seen,
        host: String(seen.host).replace(/:\d+$/, ''),
        fullUrl: String(seen.fullUrl).replace(/:\d+\//, '/'),
      };
    };
    const fromServer = await send(direct.url);
    expect(fromServer).toMatchObject({ path: '/a%2Fb/caf%C3%A9/x%20y', body: '\u0000\u0001\u0002\u00ff' });
    expect(await send(gateway.url)).toEqual(fromServer);
  });
});

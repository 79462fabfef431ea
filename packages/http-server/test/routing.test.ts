import { Client, request as fetchRequest } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AnyMatches,
  HostMatches,
  HTTPServer,
  type HTTPServerRequest,
  PathMatches,
  type RouteMatch,
  Rule,
  RuleRouter,
} from '../src/index.js';
import { delay, rawRequest, serve } from './helpers.js';

type Served = Awaited<ReturnType<typeof serve>>;
let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

/**
 * Behaves like a gateway container: reads the GatewayRequest fields, answers through writeHeaders/write/finish,
 * and has ready().
 */
class FakeGateway {
  readyCalls = 0;
  seen: { scriptName: string | undefined; path: string; uri: string }[] = [];
  async ready() {
    this.readyCalls++;
  }
  async handleRequest(request: HTTPServerRequest) {
    this.seen.push({ scriptName: request.scriptName, path: request.path, uri: request.uri });
    const body = new TextEncoder().encode(`gateway ${request.scriptName ?? ''} ${request.path}`);
    await request.connection.writeHeaders(
      { code: 200, reason: 'OK' },
      ['Content-Type', 'text/plain', 'Content-Length', String(body.length)],
      body,
    );
    request.connection.finish();
  }
}

describe('RuleRouter', () => {
  it("Tornado's shorthand: first match wins, named groups and positional groups, 404 when nothing matches", async () => {
    const matches: RouteMatch[] = [];
    const router = new RuleRouter([
      [
        '/users/(?<id>[^/]+)',
        (request, match) => {
          matches.push(match);
          return request.connection.respond(200, 'user');
        },
      ],
      [
        /\/files\/(.+)\/(\d+)/,
        (request, match) => {
          matches.push(match);
          return request.connection.respond(200, 'file');
        },
      ],
      ['/exact', (request) => request.connection.respond(200, 'exact')],
    ]);
    served = await serve(router);
    const client = new Client(served.url);
    const get = async (path: string) => {
      const response = await client.request({ path, method: 'GET' });
      return `${response.statusCode} ${await response.body.text()}`;
    };
    expect(await get('/users/caf%C3%A9')).toBe('200 user');
    expect(await get('/files/a%20b/42')).toBe('200 file');
    expect(await get('/exact')).toBe('200 exact');
    expect(await get('/exact/more')).toBe('404 404: Not Found\n');
    expect(await get('/nothing')).toBe('404 404: Not Found\n');
    await client.close();
    expect(matches).toEqual([
      { pathArgs: [], pathKwargs: { id: 'café' } },
      { pathArgs: ['a b', '42'], pathKwargs: {} },
    ]);
  });

  it('a native streaming handler and a gateway-like target answer side by side in one server', async () => {
    const gateway = new FakeGateway();
    const router = new RuleRouter([
      [
        '/events',
        async (request) => {
          const connection = request.connection;
          await connection.writeHeaders({ code: 200, reason: 'OK' }, ['Content-Type', 'text/event-stream']);
          for (let index = 0; index < 3; index++) {
            await connection.write(new TextEncoder().encode(`data: ${index}\n\n`));
            await delay(100);
          }
          connection.finish();
        },
      ],
      ['.*', gateway],
    ]);
    served = await serve(router);
    const events = await fetchRequest(`${served.url}/events`);
    expect(events.headers['content-type']).toBe('text/event-stream');
    const reader = events.body[Symbol.asyncIterator]();
    const first = await reader.next();
    expect(Buffer.from(first.value).toString()).toBe('data: 0\n\n');
    // While the stream is open, the gateway target answers.
    const page = await fetchRequest(`${served.url}/page?x=1`);
    expect(await page.body.text()).toBe('gateway  /page');
    let rest = '';
    for (let next = await reader.next(); !next.done; next = await reader.next())
      rest += Buffer.from(next.value).toString();
    expect(rest).toBe('data: 1\n\ndata: 2\n\n');
    expect(gateway.readyCalls).toBe(1);
  });

  it('a mounted rule sets scriptName on a derived request and leaves the original untouched', async () => {
    const gateway = new FakeGateway();
    let original: HTTPServerRequest | undefined;
    const router = new RuleRouter([
      new Rule(new PathMatches('/legacy(/.*)?'), gateway, { mount: '/legacy' }),
    ]);
    served = await serve((request) => {
      original = request;
      return router.handleRequest(request);
    });
    expect(await (await fetchRequest(`${served.url}/legacy/a/b?q=1`)).body.text()).toBe(
      'gateway /legacy /legacy/a/b',
    );
    expect(await (await fetchRequest(`${served.url}/legacy`)).body.text()).toBe('gateway /legacy /legacy');
    expect(gateway.seen[0]).toEqual({ scriptName: '/legacy', path: '/legacy/a/b', uri: '/legacy/a/b?q=1' });
    expect(original!.scriptName).toBeUndefined();
  });

  it('nested routers compose mounts; HostMatches routes by host name', async () => {
    const inner = new FakeGateway();
    const api = new FakeGateway();
    const router = new RuleRouter([
      new Rule(new HostMatches('api\\.example\\.com'), api),
      new Rule('/outer/.*', new RuleRouter([new Rule('/outer/inner/.*', inner, { mount: '/outer/inner' })]), {
        mount: '/outer',
      }),
      new Rule(new AnyMatches(), (request) => request.connection.respond(200, 'fallback')),
    ]);
    served = await serve(router);
    const viaHost = await rawRequest(
      served.port,
      'GET /anything HTTP/1.1\r\nHost: API.example.com:8080\r\nConnection: close\r\n\r\n',
    );
    expect(viaHost.data).toMatch(/gateway {2}\/anything$/);
    expect(await (await fetchRequest(`${served.url}/outer/inner/x`)).body.text()).toBe(
      'gateway /outer/inner /outer/inner/x',
    );
    expect(await (await fetchRequest(`${served.url}/elsewhere`)).body.text()).toBe('fallback');
  });

  it("forwards ready() to every target once, and a failing target's ready() fails listen()", async () => {
    const gateway = new FakeGateway();
    const router = new RuleRouter([
      ['/a', gateway],
      ['/b', gateway],
      ['/c', new RuleRouter([['/c', gateway]])],
    ]);
    await router.ready();
    expect(gateway.readyCalls).toBe(2);
    const broken = new RuleRouter([
      ['/x', { handleRequest() {}, ready: () => Promise.reject(new Error('cannot import app')) }],
    ]);
    await expect(new HTTPServer(broken).listen(0, '127.0.0.1')).rejects.toThrow('cannot import app');
  });

  it('findRule finds named rules, nested too; bad rules are refused', () => {
    const inner = new Rule('/i', () => {}, { name: 'inner' });
    const router = new RuleRouter([new Rule('/o', new RuleRouter([inner]), { name: 'outer' })]);
    expect(router.findRule('inner')).toBe(inner);
    expect(router.findRule('missing')).toBeUndefined();
    expect(() => new Rule('/x', {} as never)).toThrow(TypeError);
    expect(() => new Rule('/x', () => {}, { mount: 'no-slash' })).toThrow(TypeError);
    expect(() => new Rule('/x', () => {}, { mount: '/trailing/' })).toThrow(TypeError);
  });

  it('a handler that throws inside a router gets a 500', async () => {
    served = await serve(new RuleRouter([['/boom', () => Promise.reject(new Error('routed failure'))]]));
    const response = await fetchRequest(`${served.url}/boom`);
    expect(response.statusCode).toBe(500);
    await response.body.dump();
    expect(served.logger.text()).toMatch(/routed failure/);
  });
});

// Per-request cost of the adapters, in process, on the built package: `pnpm build && node bench/adapters.mjs`.
// A benchmark, not a test: numbers vary with the machine's load.

import { WSGIContainer } from '@tsgi/container';
import { buildEnviron } from '@tsgi/environ';
import { HTTPServer, RuleRouter } from '@tsgi/http-server';
import { Hono } from 'hono';
import { Pool } from 'undici';
import { fromFetchHandler, toFetchHandler, toWSGIApplication } from '../dist/index.js';

const hello = new TextEncoder().encode('Hello, world\n');
const quiet = { info() {}, warn() {}, error: console.error };

function measure(name, iterations, run) {
  return (async () => {
    for (let index = 0; index < 2000; index++) await run(); // warm up
    const start = performance.now();
    for (let index = 0; index < iterations; index++) await run();
    const micros = ((performance.now() - start) * 1000) / iterations;
    console.log(`${name.padEnd(58)} ${micros.toFixed(2).padStart(8)} µs/request`);
  })();
}

const request = {
  method: 'GET',
  uri: '/hello?x=1',
  version: 'HTTP/1.1',
  rawHeaders: ['Host', 'example.com', 'Accept', '*/*'],
  remoteIp: '127.0.0.1',
  protocol: 'http',
};
const startResponse = () => () => {};

// toWSGIApplication: environ -> HTTPRequest -> RuleRouter -> native handler -> collected response.
const nativeApp = toWSGIApplication(
  new RuleRouter([['/hello', (incoming) => incoming.connection.respond(200, hello)]]),
);
await measure('toWSGIApplication (buildEnviron + route + respond)', 100000, () => {
  for (const _ of nativeApp(buildEnviron(request, { errors: () => {} }), startResponse));
});

// toFetchHandler: Request -> container -> streamed Response, read to the end.
const gatewayApp = (_environ, start) => {
  start('200 OK', [['Content-Type', 'text/plain']]);
  return [hello];
};
const fetchHandler = toFetchHandler(gatewayApp, { logger: quiet });
await measure('toFetchHandler (new Request + container + read body)', 20000, async () => {
  const response = await fetchHandler(new Request('http://example.com/hello?x=1'));
  await response.arrayBuffer();
});

// Baseline: a Hono route answering the same, read to the end.
const hono = new Hono().get('/hello', (c) => c.body(hello));
await measure('baseline: Hono app.fetch (new Request + read body)', 20000, async () => {
  const response = await hono.fetch(new Request('http://example.com/hello?x=1'));
  await response.arrayBuffer();
});

// Over loopback: one keep-alive connection, requests one after another, to each kind of route.
const server = new HTTPServer(
  new RuleRouter([
    ['/native', (incoming) => incoming.connection.respond(200, hello)],
    ['/hono', fromFetchHandler(new Hono().get('/hono', (c) => c.body(hello)).fetch)],
    ['/gateway', new WSGIContainer(gatewayApp, { logger: quiet })],
  ]),
  { accessLog: false },
);
const { port } = await server.listen(0, '127.0.0.1');
const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 1 });
for (const path of ['/native', '/hono', '/gateway']) {
  await measure(`loopback GET ${path}`, 5000, async () => {
    const response = await pool.request({ path, method: 'GET' });
    await response.body.arrayBuffer();
  });
}
await pool.close();
await server.close();

// Tornado's tornado/test/routing_test.py WSGIContainerTestCase: a RuleRouter sends /tornado.* to a native handler
// and /wsgi to a WSGIContainer (an app without Content-Type, not validated); anything else is a 404.

import { HTTPServer, PathMatches, Rule, RuleRouter } from '@tsgi/http-server';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { testLogger } from '../../../test-support/test-logger.js';
import { WSGIContainer } from '../src/index.js';

let server: HTTPServer;
let url: string;

beforeAll(async () => {
  const container = new WSGIContainer(
    (_environ, startResponse) => {
      startResponse('200 OK', []);
      return [new TextEncoder().encode('WSGI')];
    },
    { logger: testLogger() },
  );
  server = new HTTPServer(
    new RuleRouter([
      new Rule(new PathMatches('/tornado.*'), (request) => request.connection.respond(200, request.path)),
      new Rule(new PathMatches('/wsgi'), container),
    ]),
    { logger: testLogger() },
  );
  const { port } = await server.listen(0, '127.0.0.1');
  url = `http://127.0.0.1:${port}`;
});
afterAll(() => server.close({ timeoutMs: 0 }));

test('a native handler and a gateway container side by side', async () => {
  expect(await (await fetch(`${url}/tornado/test`)).text()).toBe('/tornado/test');
  const wsgi = await fetch(`${url}/wsgi`);
  expect(wsgi.status).toBe(200);
  expect(await wsgi.text()).toBe('WSGI');
  expect((await fetch(`${url}/404`)).status).toBe(404);
});

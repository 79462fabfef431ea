// The seam with @tsgi/environ (a dev dependency only: the package itself imports nothing of ours): a real
// HTTPServerRequest, off a real socket, turned into environ variables.
import { gzipSync } from 'node:zlib';
import { environVariables } from '@tsgi/environ';
import { request as fetchRequest } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type HTTPServerOptions, type HTTPServerRequest, Rule, RuleRouter } from '../src/index.js';
import { rawRequest, serve } from './helpers.js';

type Served = Awaited<ReturnType<typeof serve>>;
let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

async function environOf(send: (port: number) => Promise<unknown>, options: HTTPServerOptions = {}) {
  let variables: Record<string, unknown> | undefined;
  const gateway = {
    // Typed as our request: passing it to environVariables is itself the compile-time check of the seam.
    handleRequest: async (request: HTTPServerRequest) => {
      variables = { ...environVariables(request) };
      await request.connection.respond(200);
    },
  };
  served = await serve(new RuleRouter([new Rule('/app(/.*)?', gateway, { mount: '/app' })]), options);
  await send(served.port);
  return variables!;
}

describe('environ from a real request', () => {
  it('maps a mounted GET: SCRIPT_NAME, PATH_INFO, QUERY_STRING, server and remote addresses, headers', async () => {
    const environ = await environOf((port) =>
      rawRequest(
        port,
        'GET /app/caf%C3%A9/x?q=1 HTTP/1.1\r\nHost: example.com:8080\r\nX-A: 1\r\nX-A: 2\r\nConnection: close\r\n\r\n',
      ),
    );
    expect(environ).toMatchObject({
      REQUEST_METHOD: 'GET',
      SCRIPT_NAME: '/app',
      PATH_INFO: '/caf\u00c3\u00a9/x',
      QUERY_STRING: 'q=1',
      SERVER_PROTOCOL: 'HTTP/1.1',
      REMOTE_ADDR: '127.0.0.1',
      HTTP_HOST: 'example.com:8080',
      HTTP_X_A: '1,2',
      'wsgi.url_scheme': 'http',
    });
    // No Content-Length and no Transfer-Encoding: no body, so no CONTENT_LENGTH (CGI, RFC 3875 §4.1.2).
    expect(environ).not.toHaveProperty('CONTENT_LENGTH');
  });

  it('passes an explicit Content-Length: 0 on as CONTENT_LENGTH "0"', async () => {
    const environ = await environOf((port) =>
      rawRequest(port, 'POST /app HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'),
    );
    expect(environ.CONTENT_LENGTH).toBe('0');
  });

  it('CONTENT_LENGTH describes the decompressed body; the scheme follows a trusted proxy', async () => {
    const plain = Buffer.from('y'.repeat(300));
    const environ = await environOf(
      (port) =>
        fetchRequest(`http://127.0.0.1:${port}/app/upload`, {
          method: 'POST',
          body: gzipSync(plain),
          headers: {
            'content-encoding': 'gzip',
            'x-forwarded-proto': 'https',
            'x-forwarded-for': '203.0.113.7',
          },
        }).then((response) => response.body.dump()),
      { decompressRequest: true, xheaders: true },
    );
    expect(environ).toMatchObject({
      REQUEST_METHOD: 'POST',
      PATH_INFO: '/upload',
      CONTENT_LENGTH: '300',
      REMOTE_ADDR: '203.0.113.7',
      'wsgi.url_scheme': 'https',
    });
    expect(environ.HTTP_CONTENT_ENCODING).toBeUndefined();
  });
});

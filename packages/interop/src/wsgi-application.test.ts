import { buildEnviron, type Environ, type GatewayRequest } from '@tsgi/environ';
import { HostMatches, Rule } from '@tsgi/http-server';
import { describe, expect, it } from 'vitest';
import { AsynchronousHandlerError, toWSGIApplication } from './wsgi-application.js';

function call(app: ReturnType<typeof toWSGIApplication>, request: Partial<GatewayRequest> = {}) {
  const errors: string[] = [];
  const environ: Environ = buildEnviron(
    {
      method: 'GET',
      uri: '/',
      version: 'HTTP/1.1',
      rawHeaders: ['Host', 'example.com'],
      remoteIp: '127.0.0.1',
      protocol: 'http',
      ...request,
    },
    { errors: (line) => errors.push(line) },
  );
  let status = '';
  let headers: ReadonlyArray<readonly [string, string]> = [];
  const body = app(environ, (startStatus, startHeaders) => {
    status = startStatus;
    headers = startHeaders;
    return () => {};
  });
  const text = Buffer.concat([...body].map((chunk) => Buffer.from(chunk))).toString();
  return { status, headers, text, errors };
}

describe('toWSGIApplication', () => {
  it('routes to native handlers and returns what they wrote, chunk by chunk', () => {
    const app = toWSGIApplication([
      [
        '/stream',
        (request) => {
          const { connection } = request;
          void connection.writeHeaders({ code: 200, reason: 'OK' }, ['Content-Type', 'text/plain']);
          void connection.write(Buffer.from('one,'));
          void connection.write(Buffer.from('two'));
          connection.finish();
        },
      ],
      [
        '/hello/(?<name>[^/]+)',
        (request, match) => request.connection.respond(200, `hi ${match.pathKwargs.name}`),
      ],
    ]);
    const streamed = call(app, { uri: '/stream' });
    expect(streamed.status).toBe('200 OK');
    expect(streamed.headers).toEqual([['Content-Type', 'text/plain']]);
    expect(streamed.text).toBe('one,two');
    const hello = call(app, { uri: '/hello/caf%C3%A9' });
    expect(hello.text).toBe('hi café');
    expect(hello.headers).toEqual([
      ['Content-Type', 'text/plain; charset=utf-8'],
      ['Content-Length', '8'],
    ]);
  });

  it('answers 404 when no rule matches, and gives a reason to a status without one', () => {
    const app = toWSGIApplication([
      [
        '/teapot',
        (request) => {
          void request.connection.writeHeaders({ code: 418, reason: '' }, []);
          request.connection.finish();
        },
      ],
      [
        '/empty',
        (request) => {
          request.connection.finish();
        },
      ],
    ]);
    expect(call(app, { uri: '/nowhere' }).status).toBe('404 Not Found');
    expect(call(app, { uri: '/empty' }).status).toBe('200 OK');
    expect(call(app, { uri: '/teapot' }).status).toBe("418 I'm a Teapot");
  });

  it('routes on the host, the full path under SCRIPT_NAME, and reads the body synchronously', () => {
    const app = toWSGIApplication([
      new Rule(new HostMatches('api\\.example\\.com'), (request) =>
        request.connection.respond(200, `api ${request.path} ${Buffer.from(request.body!).toString()}`),
      ),
    ]);
    const result = call(app, {
      method: 'POST',
      uri: '/mounted/items',
      scriptName: '/mounted',
      rawHeaders: ['Host', 'API.example.com', 'Content-Length', '4'],
      body: Buffer.from('data'),
    });
    expect(result.text).toBe('api /mounted/items data');
    expect(call(app).status).toBe('404 Not Found');
  });

  it('refuses a handler that awaits, naming the problem, and refuses its later writes', async () => {
    let lateWrite: Promise<unknown> | undefined;
    const app = toWSGIApplication([
      [
        '/slow',
        async (request) => {
          await request.connection.writeHeaders({ code: 200, reason: 'OK' }, []);
          lateWrite = request.connection.write(Buffer.from('late')).catch((error: Error) => error.message);
        },
      ],
    ]);
    expect(() => call(app, { uri: '/slow' })).toThrow(
      /toWSGIApplication runs only synchronous handlers: the handler for GET \/slow returned a promise/,
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await lateWrite).toMatch(/only synchronous handlers/);
  });

  it('refuses a synchronous handler that returns without finishing (it meant to answer later)', () => {
    const app = toWSGIApplication([
      ['/later', (request) => void setTimeout(() => request.connection.finish(), 1)],
    ]);
    expect(() => call(app, { uri: '/later' })).toThrow(AsynchronousHandlerError);
    expect(() => call(app, { uri: '/later' })).toThrow(/returned without calling connection.finish\(\)/);
  });

  it('lets an async handler that finished before its first await through, and logs its later failure', async () => {
    let errors: string[] = [];
    const app = toWSGIApplication([
      [
        '/',
        async (request) => {
          await request.connection.respond(201, 'made');
          throw new Error('after the response');
        },
      ],
    ]);
    const result = call(app);
    errors = result.errors;
    expect(result.status).toBe('201 Created');
    expect(result.text).toBe('made');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(errors.join('\n')).toMatch(/Handler for GET \/ failed: Error: after the response/);
  });

  it('passes a thrown error and an aborted response to the gateway as errors', () => {
    const app = toWSGIApplication([
      [
        '/throw',
        () => {
          throw new RangeError('broken handler');
        },
      ],
      ['/abort', (request) => request.connection.abort()],
    ]);
    expect(() => call(app, { uri: '/throw' })).toThrow('broken handler');
    expect(() => call(app, { uri: '/abort' })).toThrow('The handler for GET /abort aborted the response');
  });

  it("gives a rule's mount to the handler as scriptName, with every member still working", () => {
    const app = toWSGIApplication([
      new Rule(
        '/mounted/.*',
        (request) =>
          request.connection.respond(
            200,
            `${request.scriptName} ${request.path} ${request.headers.get('x-a')} ${request.cookies.c} ` +
              `${Buffer.from(request.body!).toString()} ${request.requestTime() >= 0}`,
          ),
        { mount: '/mounted' },
      ),
    ]);
    const result = call(app, {
      method: 'POST',
      uri: '/mounted/x',
      rawHeaders: ['Host', 'h', 'X-A', 'a', 'Cookie', 'c=3', 'Content-Length', '4'],
      body: Buffer.from('body'),
    });
    expect(result.text).toBe('/mounted /mounted/x a 3 body true');
  });

  it('exposes its router for adding rules later', () => {
    const app = toWSGIApplication();
    app.router.addRules([['/added', (request) => request.connection.respond(200, 'added')]]);
    expect(call(app, { uri: '/added' }).text).toBe('added');
  });
});

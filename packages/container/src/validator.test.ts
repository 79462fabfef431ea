import { buildEnviron, type Environ, type StartResponse, type WSGIApplication } from '@tsgi/environ';
import { describe, expect, test } from 'vitest';
import { validator, WSGIValidationError } from './validator.js';

const text = (value: string) => new TextEncoder().encode(value);

function environ(errors: string[] = []): Environ {
  return buildEnviron(
    {
      method: 'GET',
      uri: '/',
      version: 'HTTP/1.1',
      rawHeaders: ['Host', 'h'],
      remoteIp: '127.0.0.1',
      protocol: 'http',
    },
    { errors: (line: string) => errors.push(line) },
  );
}

const serverStartResponse: StartResponse = () => () => {};

/** Runs `app` through the validator as a server would: call, iterate, close. */
function drive(app: WSGIApplication, env = environ()): Uint8Array[] {
  const result = validator(app)(env, serverStartResponse);
  try {
    return [...result].map((chunk) => (typeof chunk === 'string' ? text(chunk) : chunk));
  } finally {
    result.close?.();
  }
}

function ruleOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof WSGIValidationError) return error.rule;
    throw error;
  }
  return 'none';
}

const plain: Array<[string, string]> = [['Content-Type', 'text/plain']];

describe('validator: the application side', () => {
  test('a correct application passes and keeps its array (so the server can compute Content-Length)', () => {
    const result = validator((_environ, startResponse) => {
      startResponse('200 OK', plain);
      return [text('ok')];
    })(environ(), serverStartResponse);
    expect(Array.isArray(result)).toBe(true);
    expect([...result]).toEqual([text('ok')]);
    result.close?.();
  });

  test.each([
    ['start_response.status', 'OK', plain],
    ['start_response.status', '99 Low', plain],
    ['start_response.content_type', '200 OK', []],
    ['start_response.content_type', '204 No Content', plain],
    ['start_response.header_name', '200 OK', [...plain, ['X-Trailing-', 'v']]],
    ['start_response.header_value', '200 OK', [...plain, ['X-Tab', 'a\tb']]],
    ['start_response.headers', '200 OK', [...plain, ['Status', '200']]],
    ['start_response.headers', '200 OK', [...plain, ['X-A', 1]]],
  ])('%s: startResponse(%j, %j) is refused', (rule, status, headers) => {
    expect(
      ruleOf(() =>
        drive((_environ, startResponse) => {
          startResponse(status, headers as never);
          return [];
        }),
      ),
    ).toBe(rule);
  });

  test('start_response.twice: a second call without excInfo; with excInfo it is allowed', () => {
    expect(
      ruleOf(() =>
        drive((_environ, startResponse) => {
          startResponse('200 OK', plain);
          startResponse('500 Err', plain);
          return [];
        }),
      ),
    ).toBe('start_response.twice');
    expect(
      ruleOf(() =>
        drive((_environ, startResponse) => {
          startResponse('200 OK', plain);
          startResponse('500 Err', plain, new Error('x'));
          return [];
        }),
      ),
    ).toBe('none');
  });

  test('app.return: not an iterable, or a bare string or Uint8Array', () => {
    expect(ruleOf(() => drive(() => null as never))).toBe('app.return');
    expect(ruleOf(() => drive(() => 'text' as never))).toBe('app.return');
    expect(ruleOf(() => drive(() => text('bytes') as never))).toBe('app.return');
  });

  test('iterable.chunk: a chunk that is not bytes, or one before startResponse', () => {
    expect(
      ruleOf(() =>
        drive((_environ, startResponse) => {
          startResponse('200 OK', plain);
          return [42 as never];
        }),
      ),
    ).toBe('iterable.chunk');
    expect(ruleOf(() => drive(() => [text('early')]))).toBe('iterable.chunk');
  });

  test('a string chunk is a warning on wsgi.errors, not an error', () => {
    const errors: string[] = [];
    drive((_environ, startResponse) => {
      startResponse('200 OK', plain);
      return ['text'];
    }, environ(errors));
    expect(errors).toEqual([expect.stringMatching(/^WSGIWarning \[iterable\.chunk\] a string chunk/)]);
  });

  test('a status without a reason is a warning', () => {
    const errors: string[] = [];
    drive((_environ, startResponse) => {
      startResponse('200', plain);
      return [];
    }, environ(errors));
    expect(errors).toEqual([expect.stringMatching(/\[start_response\.status\]/)]);
  });

  test('write.inside_iteration: write() called while the server pulls a chunk', () => {
    expect(
      ruleOf(() =>
        drive((_environ, startResponse) => {
          const write = startResponse('200 OK', plain);
          return (function* () {
            write(text('inside'));
            yield text('x');
          })();
        }),
      ),
    ).toBe('write.inside_iteration');
  });
});

describe('validator: the server side', () => {
  const app: WSGIApplication = (_environ, startResponse) => {
    startResponse('200 OK', plain);
    return (function* () {
      yield text('a');
    })();
  };

  test('server.arguments: called with other than (environ, startResponse)', () => {
    const validated = validator(app) as unknown as (...args: unknown[]) => unknown;
    expect(ruleOf(() => validated(environ()))).toBe('server.arguments');
    expect(ruleOf(() => validated(environ(), serverStartResponse, 'extra'))).toBe('server.arguments');
  });

  test('environ.*: missing streams', () => {
    const broken = { ...environ(), 'wsgi.input': {} } as unknown as Environ;
    expect(ruleOf(() => validator(app)(broken, serverStartResponse))).toBe('environ.input-stream');
  });

  test('server.close: close() twice; server.iterate_after_close', () => {
    const result = validator(app)(environ(), serverStartResponse);
    result.close?.();
    expect(ruleOf(() => result.close?.())).toBe('server.close');
    expect(ruleOf(() => [...result])).toBe('server.iterate_after_close');
  });

  test('server.start_response: startResponse must return write()', () => {
    expect(ruleOf(() => validator(app)(environ(), (() => undefined) as never))).toBe('server.start_response');
  });
});

import { describe, expect, test } from 'vitest';
import { buildEnviron } from './build-environ.js';
import { type EnvironRule, EnvironValidationError, validateEnviron } from './validate-environ.js';

const valid = () =>
  buildEnviron({
    method: 'GET',
    uri: '/x?y=1',
    version: 'HTTP/1.1',
    rawHeaders: ['Host', 'example.com'],
    remoteIp: '127.0.0.1',
    protocol: 'http',
  }) as unknown as Record<string, unknown>;

function breaks(rule: EnvironRule, change: (environ: Record<string, unknown>) => unknown) {
  const environ = valid();
  const replaced = change(environ);
  let caught: unknown;
  try {
    validateEnviron(replaced === undefined ? environ : replaced);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(EnvironValidationError);
  expect((caught as EnvironValidationError).rule).toBe(rule);
  expect((caught as Error).message).toMatch(new RegExp(`^${rule}: `));
}

describe('validateEnviron (wsgiref.validate check_environ, check_input, check_errors)', () => {
  test('accepts what buildEnviron builds, with no warnings', () => {
    expect(validateEnviron(valid())).toEqual([]);
  });

  test('the environ is a plain object', () => {
    breaks('environ-is-plain-object', () => new Map());
    breaks('environ-is-plain-object', () => null);
    breaks('environ-is-plain-object', (environ) => Object.assign(Object.create({ inherited: 1 }), environ));
    expect(() => validateEnviron(Object.assign(Object.create(null), valid()))).not.toThrow();
  });

  test.each([
    'REQUEST_METHOD',
    'SERVER_NAME',
    'SERVER_PORT',
    'wsgi.version',
    'wsgi.input',
    'wsgi.errors',
    'wsgi.multithread',
    'wsgi.multiprocess',
    'wsgi.run_once',
  ])('%s is required', (key) => {
    breaks('required-key', (environ) => {
      delete environ[key];
    });
  });

  test('HTTP_CONTENT_TYPE and HTTP_CONTENT_LENGTH are not allowed', () => {
    breaks('no-http-content-headers', (environ) => {
      environ.HTTP_CONTENT_TYPE = 'text/plain';
    });
    breaks('no-http-content-headers', (environ) => {
      environ.HTTP_CONTENT_LENGTH = '1';
    });
  });

  test('keys without a dot hold strings, of latin-1 characters only; dotted keys hold anything', () => {
    breaks('cgi-value-is-string', (environ) => {
      environ.SERVER_PORT = 80;
    });
    breaks('cgi-value-is-string', (environ) => {
      environ.HTTP_X = undefined;
    });
    breaks('cgi-value-is-latin-1', (environ) => {
      environ.PATH_INFO = '/café€';
    });
    const environ = valid();
    environ['tsgi.anything'] = { any: 'value' };
    environ.PATH_INFO = '/caf\u00c3\u00a9';
    expect(validateEnviron(environ)).toEqual([]);
  });

  test('wsgi.version is [1, 0]; wsgi.url_scheme is http or https', () => {
    breaks('wsgi-version', (environ) => {
      environ['wsgi.version'] = [1, 1];
    });
    breaks('wsgi-version', (environ) => {
      environ['wsgi.version'] = '1.0';
    });
    breaks('url-scheme', (environ) => {
      environ['wsgi.url_scheme'] = 'ftp';
    });
  });

  test('wsgi.input has read, readline, readlines and iteration; wsgi.errors has flush, write, writelines', () => {
    breaks('input-stream', (environ) => {
      environ['wsgi.input'] = { read() {}, readline() {}, readlines() {} };
    });
    breaks('input-stream', (environ) => {
      environ['wsgi.input'] = { readline() {}, readlines() {}, [Symbol.iterator]() {} };
    });
    breaks('input-stream', (environ) => {
      environ['wsgi.input'] = null;
    });
    breaks('error-stream', (environ) => {
      environ['wsgi.errors'] = { write() {}, writelines() {} };
    });
  });

  test('SCRIPT_NAME and PATH_INFO are empty or start with "/"; SCRIPT_NAME is never "/"', () => {
    breaks('script-name', (environ) => {
      environ.SCRIPT_NAME = 'app';
    });
    breaks('script-name', (environ) => {
      environ.SCRIPT_NAME = '/';
    });
    breaks('path-info', (environ) => {
      environ.PATH_INFO = '*';
    });
    breaks('path-info', (environ) => {
      environ.SCRIPT_NAME = '';
      delete environ.PATH_INFO;
    });
    const mounted = valid();
    mounted.SCRIPT_NAME = '/app';
    delete mounted.PATH_INFO;
    expect(validateEnviron(mounted)).toEqual([]);
  });

  test('CONTENT_LENGTH, when not empty, is a non-negative integer', () => {
    breaks('content-length', (environ) => {
      environ.CONTENT_LENGTH = '-1';
    });
    breaks('content-length', (environ) => {
      environ.CONTENT_LENGTH = '1.5';
    });
    const environ = valid();
    environ.CONTENT_LENGTH = '';
    expect(validateEnviron(environ)).toEqual([]);
  });

  test('warns about a missing QUERY_STRING and an unknown method', () => {
    const environ = valid();
    delete environ.QUERY_STRING;
    environ.REQUEST_METHOD = 'BREW';
    expect(validateEnviron(environ)).toEqual([
      expect.stringMatching(/QUERY_STRING/),
      'Unknown REQUEST_METHOD: "BREW"',
    ]);
  });
});

/**
 * The environ checks of CPython's `wsgiref.validate` (`check_environ`, `check_input`, `check_errors`), plus
 * PEP 3333's rule that every CGI value is a latin-1 "WSGI string".
 */

import { isWsgiString } from './wsgi-string.js';

/** The rule an environ broke, named after what it checks. */
export type EnvironRule =
  | 'environ-is-plain-object'
  | 'required-key'
  | 'no-http-content-headers'
  | 'cgi-value-is-string'
  | 'cgi-value-is-latin-1'
  | 'wsgi-version'
  | 'url-scheme'
  | 'script-name'
  | 'path-info'
  | 'content-length'
  | 'input-stream'
  | 'error-stream';

/** An environ that breaks PEP 3333; `rule` names the check, the message says what was found. */
export class EnvironValidationError extends Error {
  override readonly name = 'EnvironValidationError';
  readonly rule: EnvironRule;

  constructor(rule: EnvironRule, message: string) {
    super(`${rule}: ${message}`);
    this.rule = rule;
  }
}

const REQUIRED_KEYS = [
  'REQUEST_METHOD',
  'SERVER_NAME',
  'SERVER_PORT',
  'wsgi.version',
  'wsgi.input',
  'wsgi.errors',
  'wsgi.multithread',
  'wsgi.multiprocess',
  'wsgi.run_once',
] as const;
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'OPTIONS', 'PATCH', 'PUT', 'DELETE', 'TRACE']);
const INPUT_METHODS = ['read', 'readline', 'readlines'] as const;
const ERRORS_METHODS = ['flush', 'write', 'writelines'] as const;

/**
 * Checks an environ the way `wsgiref.validate` does and throws an `EnvironValidationError` naming the first
 * rule it breaks. Returns the warnings `wsgiref.validate` would issue (a missing `QUERY_STRING`, an unknown
 * `REQUEST_METHOD`); an empty array when there are none.
 */
export function validateEnviron(environ: unknown): string[] {
  const warnings: string[] = [];
  const prototype =
    typeof environ === 'object' && environ !== null ? Object.getPrototypeOf(environ) : undefined;
  if (prototype !== Object.prototype && prototype !== null) {
    fail('environ-is-plain-object', `environ must be a plain object, not ${describe(environ)}`);
  }
  const values = environ as Record<string, unknown>;

  for (const key of REQUIRED_KEYS) {
    if (!(key in values)) fail('required-key', `environ has no ${JSON.stringify(key)}`);
  }
  for (const key of ['HTTP_CONTENT_TYPE', 'HTTP_CONTENT_LENGTH']) {
    if (key in values) {
      fail('no-http-content-headers', `environ has ${key}; use ${key.slice(5)} instead`);
    }
  }
  if (!('QUERY_STRING' in values)) {
    warnings.push(
      'QUERY_STRING is not in the environ; cgi.parse_qs-style code may use the process environment',
    );
  }

  for (const key of Object.keys(values)) {
    if (key.includes('.')) continue; // Extension and wsgi.* keys may hold any type.
    const value = values[key];
    if (typeof value !== 'string') {
      fail('cgi-value-is-string', `environ[${JSON.stringify(key)}] must be a string, not ${describe(value)}`);
    }
    if (!isWsgiString(value)) {
      fail(
        'cgi-value-is-latin-1',
        `environ[${JSON.stringify(key)}] has characters above U+00FF: ${JSON.stringify(value)}`,
      );
    }
  }

  const version = values['wsgi.version'];
  if (!Array.isArray(version) || version.length !== 2 || version[0] !== 1 || version[1] !== 0) {
    fail('wsgi-version', `wsgi.version must be [1, 0], not ${describe(version)}`);
  }
  const scheme = values['wsgi.url_scheme'];
  if (scheme !== 'http' && scheme !== 'https') {
    fail('url-scheme', `wsgi.url_scheme must be "http" or "https", not ${describe(scheme)}`);
  }
  checkStream(values['wsgi.input'], INPUT_METHODS, true, 'input-stream', 'wsgi.input');
  checkStream(values['wsgi.errors'], ERRORS_METHODS, false, 'error-stream', 'wsgi.errors');

  const method = values.REQUEST_METHOD as string;
  if (!KNOWN_METHODS.has(method)) warnings.push(`Unknown REQUEST_METHOD: ${JSON.stringify(method)}`);

  const scriptName = values.SCRIPT_NAME as string | undefined;
  const pathInfo = values.PATH_INFO as string | undefined;
  if (scriptName && !scriptName.startsWith('/')) {
    fail('script-name', `SCRIPT_NAME must be empty or start with "/": ${JSON.stringify(scriptName)}`);
  }
  if (scriptName === '/') {
    fail('script-name', 'SCRIPT_NAME cannot be "/"; it should be "" with PATH_INFO starting with "/"');
  }
  if (pathInfo && !pathInfo.startsWith('/')) {
    fail('path-info', `PATH_INFO must be empty or start with "/": ${JSON.stringify(pathInfo)}`);
  }
  if (!scriptName && pathInfo === undefined) {
    fail('path-info', 'One of SCRIPT_NAME or PATH_INFO must be set (PATH_INFO should be at least "/")');
  }

  const contentLength = values.CONTENT_LENGTH as string | undefined;
  if (contentLength && !/^\d+$/.test(contentLength)) {
    fail('content-length', `CONTENT_LENGTH must be a non-negative integer: ${JSON.stringify(contentLength)}`);
  }
  return warnings;
}

function checkStream(
  stream: unknown,
  methods: readonly string[],
  iterable: boolean,
  rule: EnvironRule,
  key: string,
): void {
  if (typeof stream !== 'object' || stream === null)
    fail(rule, `${key} must be an object, not ${describe(stream)}`);
  const members = stream as Record<string | symbol, unknown>;
  for (const method of methods) {
    if (typeof members[method] !== 'function') fail(rule, `${key} has no ${method}() method`);
  }
  if (iterable && typeof members[Symbol.iterator] !== 'function') fail(rule, `${key} is not iterable`);
}

function fail(rule: EnvironRule, message: string): never {
  throw new EnvironValidationError(rule, message);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `the array ${JSON.stringify(value)}`;
  if (typeof value === 'object') return `an instance of ${value.constructor?.name ?? 'Object'}`;
  return `${typeof value} ${String(value)}`;
}

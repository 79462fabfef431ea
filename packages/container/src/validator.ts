/**
 * `validator(app)`: Python's `wsgiref.validate` for gateway applications. It sits between a server and an
 * application and checks both: the server's environ and calls, and the application's `startResponse` calls,
 * chunks, `write()` use and iteration. A violation throws a `WSGIValidationError` naming the rule it breaks;
 * a doubtful practice (a string chunk, a status without a reason) is written to `wsgi.errors` as a warning.
 */
import {
  type Environ,
  EnvironValidationError,
  type InputStream,
  type ResponseIterable,
  type StartResponse,
  validateEnviron,
  type WriteCallable,
  type WSGIApplication,
} from '@tsgi/environ';
import { statusHasNoBody } from '@tsgi/protocol';

/** A broken rule of PEP 3333: `rule` names it (e.g. `start_response.headers`). */
export class WSGIValidationError extends Error {
  override readonly name = 'WSGIValidationError';
  constructor(
    readonly rule: string,
    detail: string,
  ) {
    super(`[${rule}] ${detail}`);
  }
}

function check(condition: unknown, rule: string, detail: string): asserts condition {
  if (!condition) throw new WSGIValidationError(rule, detail);
}

/** wsgiref's header-name rule: a letter, then letters, digits, `-` or `_`, not ending in `-` or `_`. */
const headerName = /^[a-zA-Z][a-zA-Z0-9\-_]*$/;
const badHeaderValue = /[\x00-\x1f\x7f]/;

/** Wraps `app` so that every request checks both sides of PEP 3333. */
export function validator(app: WSGIApplication): WSGIApplication {
  return function validated(...args: unknown[]): ResponseIterable {
    check(
      args.length === 2,
      'server.arguments',
      `the application must be called with (environ, startResponse), got ${args.length} arguments`,
    );
    const [environ, startResponse] = args as [Environ, StartResponse];
    check(typeof startResponse === 'function', 'server.arguments', 'startResponse must be a function');
    const state = new ValidationState(environ);
    checkEnviron(environ, (rule, detail) => state.warn(rule, detail));
    const result = app(
      { ...environ, 'wsgi.input': checkedInput(environ['wsgi.input']) },
      (...startArgs: unknown[]) => state.startResponse(startResponse, startArgs),
    );
    check(result != null, 'app.return', 'the application must return an iterable, got ' + String(result));
    check(
      typeof result !== 'string' && !(result instanceof Uint8Array),
      'app.return',
      'the application must return an iterable of chunks, not a single string or Uint8Array',
    );
    check(
      typeof (result as Iterable<unknown>)[Symbol.iterator] === 'function',
      'app.return',
      'the application must return an iterable',
    );
    return state.iterable(result);
  } as WSGIApplication;
}

function checkEnviron(environ: Environ, warn: (rule: string, detail: string) => void): void {
  let warnings: string[];
  try {
    warnings = validateEnviron(environ);
  } catch (error) {
    if (error instanceof EnvironValidationError)
      throw new WSGIValidationError(`environ.${error.rule}`, error.message);
    throw error;
  }
  for (const warning of warnings) warn('environ', warning);
}

function checkedInput(input: InputStream): InputStream {
  const bytes = (value: Uint8Array, method: string): Uint8Array => {
    check(
      value instanceof Uint8Array,
      'server.wsgi.input',
      `wsgi.input.${method}() must return a Uint8Array`,
    );
    return value;
  };
  return {
    read: (size?: number | null) => bytes(input.read(size), 'read'),
    readline: (size?: number | null) => bytes(input.readline(size), 'readline'),
    readlines: (hint?: number | null) => {
      const lines = input.readlines(hint);
      check(Array.isArray(lines), 'server.wsgi.input', 'wsgi.input.readlines() must return an array');
      for (const line of lines) bytes(line, 'readlines');
      return lines;
    },
    *[Symbol.iterator]() {
      for (const line of input) yield bytes(line, 'iteration');
    },
  };
}

class ValidationState {
  readonly environ: Environ;
  startCalled = false;
  headersSent = false;
  closed = false;
  iterating = false;

  constructor(environ: Environ) {
    this.environ = environ;
  }

  warn(rule: string, detail: string): void {
    this.environ['wsgi.errors'].write(`WSGIWarning [${rule}] ${detail}\n`);
  }

  startResponse(startResponse: StartResponse, args: unknown[]): WriteCallable {
    check(
      args.length === 2 || args.length === 3,
      'start_response.arguments',
      `startResponse takes (status, headers, excInfo?), got ${args.length} arguments`,
    );
    const [status, headers, excInfo] = args as [unknown, unknown, unknown];
    if (excInfo == null) {
      check(
        !this.startCalled,
        'start_response.twice',
        'startResponse was called a second time without excInfo',
      );
    }
    this.startCalled = true;
    const code = this.checkStatus(status);
    this.checkHeaders(headers, code);
    const write = startResponse(status as string, headers as Array<[string, string]>, excInfo);
    check(
      typeof write === 'function',
      'server.start_response',
      'startResponse must return the write() callable',
    );
    return (chunk) => {
      check(
        !this.iterating,
        'write.inside_iteration',
        'write() must not be called from inside the response iterable',
      );
      this.checkChunk(chunk, 'write.chunk');
      write(chunk);
    };
  }

  checkStatus(status: unknown): number {
    check(
      typeof status === 'string',
      'start_response.status',
      `status must be a string, got ${typeof status}`,
    );
    const code = Number(status.slice(0, 3));
    check(
      /^[0-9]{3}/.test(status) && code >= 100,
      'start_response.status',
      `status must start with a three-digit code of at least 100, got ${JSON.stringify(status)}`,
    );
    check(
      !/[\x00-\x1f\x7f]/.test(status),
      'start_response.status',
      `status must not contain control characters: ${JSON.stringify(status)}`,
    );
    if (status.length < 4 || status[3] !== ' ') {
      this.warn(
        'start_response.status',
        `status ${JSON.stringify(status)} should be a code, a space and a reason phrase`,
      );
    }
    return code;
  }

  checkHeaders(headers: unknown, code: number): void {
    check(
      Array.isArray(headers),
      'start_response.headers',
      `headers must be an array, got ${typeof headers}`,
    );
    let contentType = false;
    for (const header of headers as unknown[]) {
      check(
        Array.isArray(header) && header.length === 2,
        'start_response.headers',
        `each header must be a [name, value] pair, got ${JSON.stringify(header)}`,
      );
      const [name, value] = header as [unknown, unknown];
      check(
        typeof name === 'string' && typeof value === 'string',
        'start_response.headers',
        `header names and values must be strings: ${JSON.stringify(header)}`,
      );
      check(
        name.toLowerCase() !== 'status',
        'start_response.headers',
        'the status goes in the status argument, not a Status header',
      );
      check(
        headerName.test(name) && !/[-_]$/.test(name),
        'start_response.header_name',
        `header name ${JSON.stringify(name)} must be letters, digits, - and _, starting with a letter, not ending with - or _`,
      );
      check(
        !badHeaderValue.test(value),
        'start_response.header_value',
        `header ${name}: value ${JSON.stringify(value)} contains a control character`,
      );
      if (name.toLowerCase() === 'content-type') contentType = true;
    }
    if (statusHasNoBody(code)) {
      check(!contentType, 'start_response.content_type', `a ${code} response must not have a Content-Type`);
    } else {
      check(contentType, 'start_response.content_type', `a ${code} response must have a Content-Type`);
    }
  }

  checkChunk(chunk: unknown, rule: string): void {
    check(this.startCalled, rule, 'body data was produced before startResponse was called');
    if (typeof chunk === 'string') {
      this.warn(rule, 'a string chunk is sent as UTF-8; give a Uint8Array to say which bytes');
      return;
    }
    check(
      chunk instanceof Uint8Array,
      rule,
      `a chunk must be a Uint8Array, got ${chunk === null ? 'null' : typeof chunk}`,
    );
  }

  iterable(result: ResponseIterable): ResponseIterable {
    const state = this;
    const close = (): void => {
      check(!state.closed, 'server.close', 'the server called close() twice');
      state.closed = true;
      result.close?.();
    };
    if (Array.isArray(result)) {
      // Already produced: check now, and stay an array so the server can compute Content-Length.
      for (const chunk of result) this.checkChunk(chunk, 'iterable.chunk');
      return Object.assign([...result], { close });
    }
    return {
      *[Symbol.iterator]() {
        check(
          !state.closed,
          'server.iterate_after_close',
          'the server iterated the response after calling close()',
        );
        state.iterating = true;
        try {
          for (const chunk of result) {
            state.iterating = false;
            check(
              !state.closed,
              'server.iterate_after_close',
              'the server iterated the response after calling close()',
            );
            state.checkChunk(chunk, 'iterable.chunk');
            yield chunk;
            state.iterating = true;
          }
        } finally {
          state.iterating = false;
        }
      },
      close,
    };
  }
}

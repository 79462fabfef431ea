import type { GatewayRequest } from '@tsgi/protocol';
import { describe, expect, test } from 'vitest';
import { buildEnviron, EnvironError, environVariables } from './build-environ.js';
import type { ByteReader } from './input-stream.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A request as node:http would describe `GET / HTTP/1.1` with `Host: example.com`, with overrides. */
function request(overrides: Partial<GatewayRequest> = {}): GatewayRequest {
  return {
    method: 'GET',
    uri: '/',
    version: 'HTTP/1.1',
    rawHeaders: ['Host', 'example.com'],
    remoteIp: '127.0.0.1',
    remotePort: 50000,
    serverIp: '127.0.0.1',
    serverPort: 8888,
    protocol: 'http',
    ...overrides,
  };
}
const withHeaders = (...rawHeaders: string[]) =>
  request({ rawHeaders: ['Host', 'example.com', ...rawHeaders] });
const environFor = (overrides: Partial<GatewayRequest> = {}) => environVariables(request(overrides));

function rejects(build: () => unknown, message: RegExp, status = 400) {
  let caught: unknown;
  try {
    build();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(EnvironError);
  expect((caught as EnvironError).status).toBe(status);
  expect((caught as EnvironError).message).toMatch(message);
}

// Case numbers are those of the gateway checklist's must-pass cases (docs/gateway-checklist.md).
describe('PATH_INFO, QUERY_STRING, RAW_URI (checklist cases 1–9)', () => {
  test('1: percent-decoded path; the query string stays raw', () => {
    const environ = environFor({ uri: '/a%20b?x=1&y=%20' });
    expect(environ.PATH_INFO).toBe('/a b');
    expect(environ.QUERY_STRING).toBe('x=1&y=%20');
  });

  test('2: %C3%A9 becomes the latin-1 tunnelled UTF-8 bytes', () => {
    expect(environFor({ uri: '/caf%C3%A9' }).PATH_INFO).toBe('/caf\u00c3\u00a9');
  });

  test('3: raw UTF-8 bytes in the target are not encoded twice (Tornado W11)', () => {
    // A server that passes raw bytes gives them as one code unit per byte.
    const environ = environFor({ uri: '/caf\xc3\xa9?q=\xc3\xa9' });
    expect(environ.PATH_INFO).toBe('/caf\u00c3\u00a9');
    expect(environ.QUERY_STRING).toBe('q=\u00c3\u00a9');
    expect(environFor({ uri: '/caf\xc3\xa9%20x' }).PATH_INFO).toBe('/caf\u00c3\u00a9 x');
  });

  test('4: %2F decodes to / and + stays +; the raw target is kept in RAW_URI and REQUEST_URI', () => {
    const environ = environFor({ uri: '/a%2Fb+c' });
    expect(environ.PATH_INFO).toBe('/a/b+c');
    expect(environ.RAW_URI).toBe('/a%2Fb+c');
    expect(environ.REQUEST_URI).toBe('/a%2Fb+c');
  });

  test('5: invalid escapes are kept; %00 decodes to NUL', () => {
    expect(environFor({ uri: '/a%zz%2' }).PATH_INFO).toBe('/a%zz%2');
    expect(environFor({ uri: '/a%00b' }).PATH_INFO).toBe('/a\x00b');
    expect(environFor({ uri: '/%%41%4' }).PATH_INFO).toBe('/%A%4');
    expect(environFor({ uri: '/%c3%A9' }).PATH_INFO).toBe('/\u00c3\u00a9');
  });

  test('6: an empty query is ""; a #fragment is dropped from the path and the query', () => {
    expect(environFor({ uri: '/a?' }).QUERY_STRING).toBe('');
    const withQuery = environFor({ uri: '/a?x=1#f' });
    expect(withQuery.QUERY_STRING).toBe('x=1');
    expect(withQuery.RAW_URI).toBe('/a?x=1#f');
    const withoutQuery = environFor({ uri: '/a#frag?not=query' });
    expect(withoutQuery.PATH_INFO).toBe('/a');
    expect(withoutQuery.QUERY_STRING).toBe('');
  });

  test('QUERY_STRING is always present', () => {
    expect(environFor({ uri: '/x' })).toHaveProperty('QUERY_STRING', '');
  });

  test('7: an absolute-form target gives its path; its authority is the server name (RFC 9112 §3.2.2)', () => {
    const environ = environFor({ uri: 'http://other.example:81/foo?q=1' });
    expect(environ.PATH_INFO).toBe('/foo');
    expect(environ.QUERY_STRING).toBe('q=1');
    expect(environ.SERVER_NAME).toBe('other.example');
    expect(environ.SERVER_PORT).toBe('81');
    expect(environ.HTTP_HOST).toBe('example.com');
    expect(environ.RAW_URI).toBe('http://other.example:81/foo?q=1');
    expect(environFor({ uri: 'HTTPS://user@h.example?x' })).toMatchObject({
      PATH_INFO: '/',
      QUERY_STRING: 'x',
      SERVER_NAME: 'h.example',
      SERVER_PORT: '80',
    });
  });

  test('8: OPTIONS * has an empty PATH_INFO and REQUEST_URI "*"; * with another method is a 400', () => {
    const environ = environFor({ method: 'OPTIONS', uri: '*' });
    expect(environ.PATH_INFO).toBe('');
    expect(environ.SCRIPT_NAME).toBe('');
    expect(environ.REQUEST_URI).toBe('*');
    rejects(() => environFor({ method: 'GET', uri: '*' }), /only allowed with OPTIONS/);
  });

  test('a target that is not origin-, absolute- or asterisk-form is a 400', () => {
    rejects(() => environFor({ uri: 'example.com:443' }), /Malformed request target/);
    rejects(() => environFor({ uri: '' }), /Malformed request target/);
    rejects(() => environFor({ uri: '1http://x/' }), /Malformed request target/);
  });

  test('9: repeated slashes are kept', () => {
    expect(environFor({ uri: '//a//b' }).PATH_INFO).toBe('//a//b');
  });
});

describe('SCRIPT_NAME (mount prefix)', () => {
  test('the raw prefix is removed from the path and decoded like PATH_INFO', () => {
    const environ = environFor({ uri: '/my%20app/x%2Fy?q', scriptName: '/my%20app' });
    expect(environ.SCRIPT_NAME).toBe('/my app');
    expect(environ.PATH_INFO).toBe('/x/y');
    expect(environ.QUERY_STRING).toBe('q');
  });

  test('the option overrides request.scriptName; a trailing slash is not part of it', () => {
    const environ = environVariables(request({ uri: '/api/v1/items', scriptName: '/api' }), {
      scriptName: '/api/v1/',
    });
    expect(environ.SCRIPT_NAME).toBe('/api/v1');
    expect(environ.PATH_INFO).toBe('/items');
  });

  test('the path equal to the prefix gives an empty PATH_INFO; "/" is no prefix at all', () => {
    expect(environFor({ uri: '/app', scriptName: '/app' })).toMatchObject({
      SCRIPT_NAME: '/app',
      PATH_INFO: '',
    });
    expect(environFor({ uri: '/app?x', scriptName: '/app' }).QUERY_STRING).toBe('x');
    expect(environFor({ uri: '/x', scriptName: '/' })).toMatchObject({ SCRIPT_NAME: '', PATH_INFO: '/x' });
  });

  test('OPTIONS * ignores the mount', () => {
    expect(environFor({ method: 'OPTIONS', uri: '*', scriptName: '/app' })).toMatchObject({
      SCRIPT_NAME: '',
      PATH_INFO: '',
    });
  });

  test('a path outside the mount is an EnvironError with status 404', () => {
    rejects(() => environFor({ uri: '/application', scriptName: '/app' }), /outside the mount/, 404);
    rejects(() => environFor({ uri: '/other', scriptName: '/app' }), /outside the mount/, 404);
  });
});

describe('SERVER_NAME and SERVER_PORT (checklist cases 10–16)', () => {
  const host = (value: string, protocol = 'http') =>
    environVariables(request({ rawHeaders: ['Host', value], protocol }));

  test('10: from Host, case preserved', () => {
    expect(host('example.com:81')).toMatchObject({ SERVER_NAME: 'example.com', SERVER_PORT: '81' });
    expect(host('EXAMPLE.com')).toMatchObject({ SERVER_NAME: 'EXAMPLE.com', HTTP_HOST: 'EXAMPLE.com' });
  });

  test('11: the default port follows the scheme; https sets HTTPS=on', () => {
    expect(host('h')).toMatchObject({ SERVER_PORT: '80', 'wsgi.url_scheme': 'http' });
    expect(host('h')).not.toHaveProperty('HTTPS');
    expect(host('h', 'https')).toMatchObject({ SERVER_PORT: '443', 'wsgi.url_scheme': 'https', HTTPS: 'on' });
  });

  test('12–13: IPv6 literals keep their brackets', () => {
    expect(host('[::1]:8080')).toMatchObject({ SERVER_NAME: '[::1]', SERVER_PORT: '8080' });
    expect(host('[::1]')).toMatchObject({ SERVER_NAME: '[::1]', SERVER_PORT: '80' });
    expect(host('[::ffff:127.0.0.1]:1')).toMatchObject({
      SERVER_NAME: '[::ffff:127.0.0.1]',
      SERVER_PORT: '1',
    });
  });

  test('14: a non-numeric port is a 400; an empty port means the default', () => {
    rejects(() => host('example.com:abc'), /Malformed Host/);
    rejects(() => host('example.com:70000'), /Malformed Host/);
    expect(host('example.com:')).toMatchObject({ SERVER_NAME: 'example.com', SERVER_PORT: '80' });
  });

  test('15: a:1:2 and other malformed hosts are a 400', () => {
    for (const value of [
      'a:1:2',
      ':80',
      '[::1',
      '[]',
      '[::1]x',
      '[zz]',
      'a b',
      'a,b',
      'a/b',
      'caf\xe9',
      'u@h',
    ]) {
      rejects(() => host(value), /Malformed Host/);
    }
  });

  test('16: HTTP/1.0 without Host falls back to the server address; no HTTP_HOST', () => {
    const environ = environFor({ version: 'HTTP/1.0', rawHeaders: [] });
    expect(environ).toMatchObject({
      SERVER_NAME: '127.0.0.1',
      SERVER_PORT: '8888',
      SERVER_PROTOCOL: 'HTTP/1.0',
    });
    expect(environ).not.toHaveProperty('HTTP_HOST');
    expect(environFor({ version: 'HTTP/1.0', rawHeaders: [], serverIp: '::1', serverPort: 1 })).toMatchObject(
      {
        SERVER_NAME: '[::1]',
        SERVER_PORT: '1',
      },
    );
    expect(
      environFor({ version: 'HTTP/1.0', rawHeaders: [], serverIp: undefined, serverPort: undefined }),
    ).toMatchObject({ SERVER_NAME: 'localhost', SERVER_PORT: '80' });
    const named = environVariables(request({ version: 'HTTP/1.0', rawHeaders: [] }), {
      defaultServerName: 'www.example',
    });
    expect(named.SERVER_NAME).toBe('www.example');
  });

  test('16: HTTP/1.1 without Host, or with two, is a 400; an empty Host falls back', () => {
    rejects(() => environFor({ rawHeaders: [] }), /without a Host/);
    rejects(() => environFor({ rawHeaders: ['Host', 'a', 'Host', 'b'] }), /More than one Host/);
    expect(environFor({ rawHeaders: ['Host', ''] })).toMatchObject({
      HTTP_HOST: '',
      SERVER_NAME: '127.0.0.1',
      SERVER_PORT: '8888',
    });
  });
});

describe('HTTP_* headers (checklist cases 17–20, 27)', () => {
  test('17: repeated headers join with "," in arrival order', () => {
    expect(environVariables(withHeaders('X-A', '1', 'x-a', '2')).HTTP_X_A).toBe('1,2');
  });

  test('18–19: names with "_" are dropped by default (no spoofing of their "-" twin)', () => {
    const environ = environVariables(withHeaders('X-A', '1', 'X-A', '2', 'X_A', '3', 'Content_Type', 'evil'));
    expect(environ.HTTP_X_A).toBe('1,2');
    expect(environ).not.toHaveProperty('HTTP_CONTENT_TYPE');
    expect(environ).not.toHaveProperty('CONTENT_TYPE');
  });

  test("underscoreHeaders: 'refuse' is a 400 naming the header", () => {
    rejects(
      () => environVariables(withHeaders('X_Forwarded_For', '1.2.3.4'), { underscoreHeaders: 'refuse' }),
      /X_Forwarded_For/,
    );
  });

  test("underscoreHeaders: 'keep' joins them with their twin, but never as CONTENT_* or TRANSFER_ENCODING", () => {
    const environ = environVariables(
      withHeaders(
        'X-A',
        '1',
        'X_A',
        '3',
        'Content_Type',
        'evil',
        'Content_Length',
        '9',
        'Transfer_Encoding',
        'x',
      ),
      { underscoreHeaders: 'keep' },
    );
    expect(environ.HTTP_X_A).toBe('1,3');
    for (const key of [
      'CONTENT_TYPE',
      'CONTENT_LENGTH',
      'HTTP_CONTENT_TYPE',
      'HTTP_CONTENT_LENGTH',
      'HTTP_TRANSFER_ENCODING',
    ]) {
      expect(environ).not.toHaveProperty(key);
    }
  });

  test('20: Cookie headers join with "," like any other', () => {
    expect(environVariables(withHeaders('Cookie', 'a=1', 'Cookie', 'b=2')).HTTP_COOKIE).toBe('a=1,b=2');
  });

  test('27: latin-1 values pass through; spaces and tabs around a value are trimmed, \\xa0 is not', () => {
    const environ = environVariables(withHeaders('X-L', 'caf\xe9', 'X-W', ' \t v \t', 'X-N', '\xa0v\xa0'));
    expect(environ.HTTP_X_L).toBe('café');
    expect(environ.HTTP_X_W).toBe('v');
    expect(environ.HTTP_X_N).toBe('\xa0v\xa0');
  });

  test('28: the method is kept as sent', () => {
    expect(environFor({ method: 'get' }).REQUEST_METHOD).toBe('get');
  });

  test('header names of any case map to the same key', () => {
    expect(environVariables(withHeaders('x-forwarded-FOR', '1.2.3.4')).HTTP_X_FORWARDED_FOR).toBe('1.2.3.4');
  });
});

describe('CONTENT_TYPE, CONTENT_LENGTH and the body (checklist cases 21–25)', () => {
  test('21: not HTTP_ prefixed; read() returns the body, then an empty array', () => {
    const environ = buildEnviron(
      request({
        method: 'POST',
        rawHeaders: ['Host', 'h', 'Content-Type', 'text/plain', 'Content-Length', '5'],
        body: encoder.encode('hello'),
      }),
    );
    expect(environ.CONTENT_TYPE).toBe('text/plain');
    expect(environ.CONTENT_LENGTH).toBe('5');
    expect(environ).not.toHaveProperty('HTTP_CONTENT_TYPE');
    expect(environ).not.toHaveProperty('HTTP_CONTENT_LENGTH');
    expect(decoder.decode(environ['wsgi.input'].read())).toBe('hello');
    expect(environ['wsgi.input'].read().length).toBe(0);
  });

  test('22: no Content-Type, no body: CONTENT_TYPE and CONTENT_LENGTH absent, input at EOF', () => {
    const environ = buildEnviron(request());
    expect(environ).not.toHaveProperty('CONTENT_TYPE');
    expect(environ).not.toHaveProperty('CONTENT_LENGTH');
    expect(environ['wsgi.input'].read().length).toBe(0);
  });

  test('22: a server that knows the bodiless request reads 0 bytes still leaves CONTENT_LENGTH absent', () => {
    // HTTPServer passes bodyLength 0 for a GET without Content-Length; CGI sets the variable only with a body.
    const environ = buildEnviron(request({ body: new Uint8Array(0), bodyLength: 0 }));
    expect(environ).not.toHaveProperty('CONTENT_LENGTH');
    expect(environ['wsgi.input'].read().length).toBe(0);
  });

  test('21: an explicit Content-Length: 0 is passed on as "0"', () => {
    const environ = buildEnviron(
      request({
        method: 'POST',
        rawHeaders: ['Host', 'h', 'Content-Length', '0'],
        body: new Uint8Array(0),
        bodyLength: 0,
      }),
    );
    expect(environ.CONTENT_LENGTH).toBe('0');
  });

  test('23: equal duplicate Content-Lengths collapse; unequal, signed or with Transfer-Encoding are a 400', () => {
    expect(environVariables(withHeaders('Content-Length', '5', 'Content-Length', '5')).CONTENT_LENGTH).toBe(
      '5',
    );
    expect(environVariables(withHeaders('Content-Length', '007')).CONTENT_LENGTH).toBe('7');
    rejects(() => environVariables(withHeaders('Content-Length', '5', 'Content-Length', '6')), /Conflicting/);
    rejects(() => environVariables(withHeaders('Content-Length', '+3')), /Malformed Content-Length/);
    rejects(() => environVariables(withHeaders('Content-Length', '')), /Malformed Content-Length/);
    rejects(() => environVariables(withHeaders('Content-Length', '99999999999999999999')), /Malformed/);
    rejects(
      () => environVariables(withHeaders('Content-Length', '5', 'Transfer-Encoding', 'chunked')),
      /Both Content-Length and Transfer-Encoding/,
    );
  });

  test('a duplicate Content-Type is a 400', () => {
    rejects(
      () => environVariables(withHeaders('Content-Type', 'a/b', 'Content-Type', 'c/d')),
      /Content-Type/,
    );
  });

  test('24: a de-chunked body: CONTENT_LENGTH from bodyLength, Transfer-Encoding never exposed', () => {
    const body = encoder.encode('hello');
    const environ = buildEnviron(
      request({
        method: 'POST',
        rawHeaders: ['Host', 'h', 'Transfer-Encoding', 'chunked'],
        body,
        bodyLength: 5,
      }),
    );
    expect(environ.CONTENT_LENGTH).toBe('5');
    expect(environ).not.toHaveProperty('HTTP_TRANSFER_ENCODING');
    expect(environ['wsgi.input_terminated']).toBe(true);
    expect(decoder.decode(environ['wsgi.input'].read())).toBe('hello');
  });

  test('24: a buffered chunked body without bodyLength still gets its CONTENT_LENGTH', () => {
    const environ = environVariables(
      request({ rawHeaders: ['Host', 'h', 'Transfer-Encoding', 'chunked'], body: encoder.encode('abc') }),
    );
    expect(environ.CONTENT_LENGTH).toBe('3');
  });

  test('25: a decompressed body: bodyLength wins over the Content-Length header', () => {
    const body = new Uint8Array(23);
    const environ = buildEnviron(
      request({ method: 'POST', rawHeaders: ['Host', 'h', 'Content-Length', '34'], body, bodyLength: 23 }),
    );
    expect(environ.CONTENT_LENGTH).toBe('23');
    expect(environ['wsgi.input'].read().length).toBe(23);
  });

  test('input from a ByteReader is clamped to CONTENT_LENGTH', () => {
    let calls = 0;
    const reader: ByteReader = {
      read: () => (calls++ === 0 ? encoder.encode('hello and more') : null),
    };
    const environ = buildEnviron(withHeaders('Content-Length', '5'), { input: reader });
    expect(decoder.decode(environ['wsgi.input'].read())).toBe('hello');
    expect(environ['wsgi.input'].read().length).toBe(0);
    expect(calls).toBe(1);
  });

  test('an InputStream given as input is used as it is', () => {
    const input = buildEnviron(request())['wsgi.input'];
    expect(buildEnviron(request(), { input })['wsgi.input']).toBe(input);
  });

  test('a streamed body without an input option is a TypeError that says what to pass', () => {
    const bodyStream = (async function* () {})();
    expect(() => buildEnviron(request({ bodyStream }))).toThrow(/options\.input/);
  });
});

describe('server keys', () => {
  test('REMOTE_ADDR, REMOTE_PORT, SERVER_SOFTWARE, SERVER_PROTOCOL, wsgi.* defaults', () => {
    const environ = environFor();
    expect(environ).toMatchObject({
      REQUEST_METHOD: 'GET',
      REMOTE_ADDR: '127.0.0.1',
      REMOTE_PORT: '50000',
      SERVER_PROTOCOL: 'HTTP/1.1',
      'wsgi.version': [1, 0],
      'wsgi.url_scheme': 'http',
      'wsgi.multithread': false,
      'wsgi.multiprocess': false,
      'wsgi.run_once': false,
      'wsgi.input_terminated': true,
    });
    expect(environ.SERVER_SOFTWARE).toMatch(/^tsgi\/\d+\.\d+\.\d+/);
    expect(environFor({ remotePort: undefined })).not.toHaveProperty('REMOTE_PORT');
  });

  test('options set SERVER_SOFTWARE and the wsgi flags', () => {
    const environ = environVariables(request(), {
      serverSoftware: 'demo/1',
      multithread: true,
      multiprocess: true,
      runOnce: true,
    });
    expect(environ).toMatchObject({
      SERVER_SOFTWARE: 'demo/1',
      'wsgi.multithread': true,
      'wsgi.multiprocess': true,
      'wsgi.run_once': true,
    });
  });

  test('environVariables has no streams and survives structured cloning', () => {
    const environ = environVariables(withHeaders('X-A', '1'));
    expect(environ).not.toHaveProperty('wsgi.input');
    expect(environ).not.toHaveProperty('wsgi.errors');
    expect(structuredClone(environ)).toEqual(environ);
  });

  test('buildEnviron is environVariables plus wsgi.input and wsgi.errors', () => {
    const built = buildEnviron(withHeaders('X-A', '1'));
    const { 'wsgi.input': input, 'wsgi.errors': errors, ...rest } = built;
    expect(rest).toEqual(environVariables(withHeaders('X-A', '1')));
    expect(typeof input.readline).toBe('function');
    expect(typeof errors.write).toBe('function');
  });

  test('wsgi.errors routes lines to the given sink', () => {
    const lines: string[] = [];
    const errors = buildEnviron(request(), { errors: (line) => lines.push(line) })['wsgi.errors'];
    errors.write('oops\n');
    expect(lines).toEqual(['oops']);
    const stream = { write() {}, writelines() {}, flush() {} };
    expect(buildEnviron(request(), { errors: stream })['wsgi.errors']).toBe(stream);
  });

  test('the request is never changed', () => {
    const original = request({
      method: 'POST',
      uri: '/a%20b?x',
      rawHeaders: ['Host', 'h', 'Content-Type', 'text/plain', 'Content-Length', '2', 'X_A', '1'],
      body: encoder.encode('hi'),
    });
    const snapshot = structuredClone(original);
    buildEnviron(original)['wsgi.input'].read();
    buildEnviron(original);
    expect(original).toEqual(snapshot);
  });
});

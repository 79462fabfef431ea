import { fc, test } from '@fast-check/vitest';
import type { GatewayRequest } from '@tsgi/protocol';
import { expect } from 'vitest';
import { buildEnviron, environVariables } from './build-environ.js';
import { BufferReader } from './input-stream.js';
import { reconstructUrl, unquoteToWsgiString } from './url.js';
import { validateEnviron } from './validate-environ.js';
import { bytesToWsgiString, headerName } from './wsgi-string.js';

const base: GatewayRequest = {
  method: 'GET',
  uri: '/',
  version: 'HTTP/1.1',
  rawHeaders: ['Host', 'example.com'],
  remoteIp: '127.0.0.1',
  remotePort: 40000,
  protocol: 'http',
};

const TOKEN_CHARACTERS = "!#$%&'*+-.^`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const SPECIAL_NAMES = new Set(['host', 'content-type', 'content-length', 'transfer-encoding']);
/** Header names without `_` that are not handled specially. */
const headerNameArbitrary = fc
  .string({ unit: fc.constantFrom(...TOKEN_CHARACTERS), minLength: 1, maxLength: 12 })
  .filter((name) => !SPECIAL_NAMES.has(name.toLowerCase()));
/** Header values as node:http gives them: latin-1, no CR/LF/NUL, trimmed. */
const headerValueArbitrary = fc
  .string({
    unit: fc.oneof(
      fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
      fc.integer({ min: 0x80, max: 0xff }).map((code) => String.fromCharCode(code)),
      fc.constant('\t'),
    ),
    maxLength: 20,
  })
  .map((value) => value.replace(/^[ \t]+|[ \t]+$/g, ''));

test.prop([fc.array(fc.tuple(headerNameArbitrary, headerValueArbitrary), { maxLength: 10 })])(
  'every header lands in HTTP_ + its upper-cased name with - as _, values joined with "," in order',
  (headers) => {
    const environ = environVariables({ ...base, rawHeaders: ['Host', 'example.com', ...headers.flat()] });
    const expected = new Map<string, string>([['HTTP_HOST', 'example.com']]);
    for (const [name, value] of headers) {
      const key = 'HTTP_' + name.toUpperCase().replaceAll('-', '_');
      const previous = expected.get(key);
      expected.set(key, previous === undefined ? value : previous + ',' + value);
    }
    const actual = Object.entries(environ).filter(([key]) => key.startsWith('HTTP_'));
    expect(new Map(actual)).toEqual(expected);
    for (const [name] of headers) {
      const key = 'HTTP_' + name.toUpperCase().replaceAll('-', '_');
      expect(headerName(key)?.toLowerCase()).toBe(name.toLowerCase());
    }
  },
);

/** One path byte as a client may send it: `%XX` (either case), or raw when it may appear raw. */
const pathByteArbitrary = fc.integer({ min: 0, max: 255 }).chain((byte) => {
  const escaped = fc
    .constantFrom(true, false)
    .map((upper) => '%' + byte.toString(16).padStart(2, '0')[upper ? 'toUpperCase' : 'toLowerCase']());
  const character = String.fromCharCode(byte);
  const mayBeRaw = byte > 0x20 && byte !== 0x7f && !'?#%'.includes(character);
  return (mayBeRaw ? fc.oneof(escaped, fc.constant(character)) : escaped).map((sent) => ({ byte, sent }));
});
const queryArbitrary = fc.string({
  unit: fc
    .integer({ min: 0x21, max: 0xff })
    .map((code) => String.fromCharCode(code))
    .filter((c) => c !== '#'),
  maxLength: 20,
});

test.prop([fc.array(pathByteArbitrary, { maxLength: 30 }), fc.option(queryArbitrary, { nil: undefined })])(
  'paths are decoded byte for byte and query strings kept byte for byte, however they were encoded',
  (pathBytes, query) => {
    const rawPath = '/' + pathBytes.map(({ sent }) => sent).join('');
    const uri = query === undefined ? rawPath : `${rawPath}?${query}`;
    const environ = environVariables({ ...base, uri });
    expect(environ.PATH_INFO).toBe('/' + bytesToWsgiString(Uint8Array.from(pathBytes, ({ byte }) => byte)));
    expect(environ.QUERY_STRING).toBe(query ?? '');
    expect(environ.RAW_URI).toBe(uri);
    const url = reconstructUrl(environ);
    const path = url.slice('http://example.com'.length).split('?')[0]!;
    expect(unquoteToWsgiString(path)).toBe(environ.PATH_INFO);
  },
);

test.prop([
  fc.uint8Array({ maxLength: 200 }),
  fc.constantFrom('content-length', 'body-length', 'chunked'),
  fc.boolean(),
])('CONTENT_LENGTH equals what wsgi.input.read() returns', (body, framing, fromReader) => {
  const rawHeaders = ['Host', 'h'];
  if (framing === 'content-length') rawHeaders.push('Content-Length', String(body.length));
  if (framing === 'chunked') rawHeaders.push('Transfer-Encoding', 'chunked');
  const request: GatewayRequest = {
    ...base,
    method: 'POST',
    rawHeaders,
    body,
    bodyLength: framing === 'body-length' ? body.length : undefined,
  };
  const environ = buildEnviron(request, fromReader ? { input: new BufferReader(body) } : {});
  const read = environ['wsgi.input'].read();
  expect(read).toEqual(body);
  expect(environ.CONTENT_LENGTH === undefined ? 0 : Number(environ.CONTENT_LENGTH)).toBe(read.length);
});

const methodArbitrary = fc.oneof(
  fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'),
  fc.string({ unit: fc.constantFrom(...TOKEN_CHARACTERS), minLength: 1, maxLength: 8 }),
);
const hostArbitrary = fc.oneof(
  fc.domain(),
  fc.tuple(fc.domain(), fc.integer({ min: 0, max: 65535 })).map(([name, port]) => `${name}:${port}`),
  fc.ipV4(),
  fc.ipV6().map((address) => `[${address}]`),
  fc.tuple(fc.ipV6(), fc.integer({ min: 1, max: 65535 })).map(([address, port]) => `[${address}]:${port}`),
);

test.prop([
  methodArbitrary,
  fc.array(pathByteArbitrary, { maxLength: 20 }),
  queryArbitrary,
  hostArbitrary,
  fc.array(fc.tuple(fc.oneof(headerNameArbitrary, fc.constant('X_Under')), headerValueArbitrary), {
    maxLength: 6,
  }),
  fc.constantFrom('http', 'https'),
  fc.constantFrom('HTTP/1.0', 'HTTP/1.1'),
  fc.option(fc.constantFrom('/app', '/a%20b'), { nil: undefined }),
])(
  'validateEnviron accepts what buildEnviron builds for random requests',
  (method, pathBytes, query, host, headers, protocol, version, mount) => {
    const path = (mount ?? '') + '/' + pathBytes.map(({ sent }) => sent).join('');
    const request: GatewayRequest = {
      ...base,
      method,
      uri: `${path}?${query}`,
      version,
      protocol,
      rawHeaders: ['Host', host, ...headers.flat()],
      scriptName: mount,
    };
    const warnings = validateEnviron(buildEnviron(request));
    expect(warnings.filter((warning) => !warning.startsWith('Unknown REQUEST_METHOD'))).toEqual([]);
  },
);

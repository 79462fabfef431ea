import { fc, test } from '@fast-check/vitest';
import { buildEnviron, type GatewayRequest, unquoteToWsgiString } from '@tsgi/environ';
import { expect } from 'vitest';
import { HTTPRequest } from './http-request.js';

const TOKEN_CHARACTERS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const SPECIAL_NAMES = new Set(['host', 'content-type', 'content-length', 'transfer-encoding']);
const latin1 = (min: number, max: number) =>
  fc.integer({ min, max }).map((code) => String.fromCharCode(code));

/** Header names, `_` included (those are dropped on the way, by design). */
const headerNameArbitrary = fc
  .string({ unit: fc.constantFrom(...TOKEN_CHARACTERS), minLength: 1, maxLength: 10 })
  .filter((name) => !SPECIAL_NAMES.has(name.toLowerCase()));
/** Values as node:http gives them: latin-1 without CR/LF/NUL, trimmed. */
const headerValueArbitrary = fc
  .string({ unit: fc.oneof(latin1(0x20, 0x7e), latin1(0x80, 0xff)), maxLength: 16 })
  .map((value) => value.trim());
/** A path byte as sent: `%XX`, or raw where a raw byte may appear. */
const pathPieceArbitrary = fc.integer({ min: 0, max: 255 }).chain((byte) => {
  const escaped = fc.constant(`%${byte.toString(16).padStart(2, '0').toUpperCase()}`);
  const character = String.fromCharCode(byte);
  return byte > 0x20 && byte !== 0x7f && !'?#%'.includes(character)
    ? fc.oneof(escaped, fc.constant(character))
    : escaped;
});
const requestArbitrary = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'REPORT'),
  path: fc.array(pathPieceArbitrary, { maxLength: 24 }).map((pieces) => `/${pieces.join('')}`),
  query: fc.option(fc.string({ unit: latin1(0x21, 0xff).filter((c) => c !== '#'), maxLength: 16 }), {
    nil: undefined,
  }),
  headers: fc.array(fc.tuple(headerNameArbitrary, headerValueArbitrary), { maxLength: 8 }),
  body: fc.uint8Array({ maxLength: 64 }),
});

type GeneratedRequest = typeof requestArbitrary extends fc.Arbitrary<infer T> ? T : never;

function roundTrip(generated: GeneratedRequest, foreignServer = false) {
  const uri = generated.query === undefined ? generated.path : `${generated.path}?${generated.query}`;
  const request: GatewayRequest = {
    method: generated.method,
    uri,
    version: 'HTTP/1.1',
    rawHeaders: [
      'Host',
      'example.com',
      ...generated.headers.flat(),
      'Content-Length',
      String(generated.body.length),
    ],
    body: generated.body,
    remoteIp: '127.0.0.1',
    protocol: 'http',
  };
  const environ = buildEnviron(request, { errors: () => {} });
  if (foreignServer) {
    delete environ.RAW_URI;
    delete environ.REQUEST_URI;
  }
  return HTTPRequest.fromEnviron(environ);
}

test.prop([requestArbitrary])(
  'request -> environ -> request keeps the method, the raw path bytes, the query, the headers and the body',
  (generated) => {
    const request = roundTrip(generated);
    expect(request.method).toBe(generated.method);
    expect(request.path).toBe(generated.path);
    expect(request.query).toBe(generated.query ?? '');
    const expected = new Map<string, string[]>();
    for (const [name, value] of generated.headers) {
      if (name.includes('_')) continue;
      const key = name.toLowerCase();
      expected.set(key, [...(expected.get(key) ?? []), value]);
    }
    for (const [name, values] of expected) expect(request.headers.get(name)).toBe(values.join(','));
    for (const [name] of generated.headers) {
      if (name.includes('_') && !expected.has(name.toLowerCase().replaceAll('_', '-'))) {
        expect(request.headers.has(name.replaceAll('_', '-'))).toBe(false);
      }
    }
    expect(request.headers.get('host')).toBe('example.com');
    expect(request.body).toEqual(generated.body);
  },
);

test.prop([requestArbitrary])(
  'from a server without RAW_URI/REQUEST_URI, the rebuilt path carries the same bytes',
  (generated) => {
    const request = roundTrip(generated, true);
    expect(unquoteToWsgiString(request.path)).toBe(unquoteToWsgiString(generated.path));
    expect(request.query).toBe(generated.query ?? '');
    expect(request.body).toEqual(generated.body);
  },
);

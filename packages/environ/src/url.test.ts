import { fc, test as propertyTest } from '@fast-check/vitest';
import type { GatewayRequest } from '@tsgi/protocol';
import { describe, expect, test } from 'vitest';
import { environVariables } from './build-environ.js';
import { quoteWsgiString, reconstructUrl, unquoteToWsgiString } from './url.js';
import { bytesToWsgiString } from './wsgi-string.js';

const request = (overrides: Partial<GatewayRequest>): GatewayRequest => ({
  method: 'GET',
  uri: '/',
  version: 'HTTP/1.1',
  rawHeaders: ['Host', 'example.com'],
  remoteIp: '127.0.0.1',
  protocol: 'http',
  ...overrides,
});

describe('percent-encoding', () => {
  test('quote keeps unreserved characters and "/", encodes every other byte', () => {
    expect(quoteWsgiString('/a b/caf\u00c3\u00a9?#%~')).toBe('/a%20b/caf%C3%A9%3F%23%25~');
    expect(quoteWsgiString('a/b', '')).toBe('a%2Fb');
    expect(() => quoteWsgiString('€')).toThrow(TypeError);
  });

  test('unquote decodes valid escapes only', () => {
    expect(unquoteToWsgiString('a%20b%zz%4')).toBe('a b%zz%4');
    expect(unquoteToWsgiString('%E9')).toBe('\xe9');
  });
});

describe('reconstructUrl (PEP 3333 recipe)', () => {
  test('uses HTTP_HOST, quotes SCRIPT_NAME and PATH_INFO, appends a non-empty query', () => {
    const environ = environVariables(
      request({
        uri: '/app/caf%C3%A9%20x?q=1',
        scriptName: '/app',
        rawHeaders: ['Host', 'example.com:8080'],
      }),
    );
    expect(reconstructUrl(environ)).toBe('http://example.com:8080/app/caf%C3%A9%20x?q=1');
    expect(reconstructUrl(environVariables(request({ uri: '/x?' })))).toBe('http://example.com/x');
  });

  test('without HTTP_HOST, adds SERVER_PORT only when it is not the default for the scheme', () => {
    const base = request({ version: 'HTTP/1.0', rawHeaders: [], serverIp: '10.0.0.1' });
    expect(reconstructUrl(environVariables({ ...base, serverPort: 80 }))).toBe('http://10.0.0.1/');
    expect(reconstructUrl(environVariables({ ...base, serverPort: 8080 }))).toBe('http://10.0.0.1:8080/');
    expect(reconstructUrl(environVariables({ ...base, serverPort: 443, protocol: 'https' }))).toBe(
      'https://10.0.0.1/',
    );
  });

  propertyTest.prop([fc.uint8Array({ maxLength: 40 })])(
    'quote then unquote gives back the bytes of any PATH_INFO',
    (bytes) => {
      const pathInfo = '/' + bytesToWsgiString(bytes);
      expect(unquoteToWsgiString(quoteWsgiString(pathInfo))).toBe(pathInfo);
    },
  );
});

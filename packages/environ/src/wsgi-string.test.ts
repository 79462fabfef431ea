import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import {
  bytesToWsgiString,
  headerKey,
  headerName,
  isWsgiString,
  textToWsgiString,
  wsgiStringToBytes,
  wsgiStringToText,
} from './wsgi-string.js';

describe('WSGI strings', () => {
  test('bytes ↔ WSGI string is one code unit per byte, including 0x80–0x9f (not windows-1252)', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, index) => index);
    const value = bytesToWsgiString(bytes);
    expect(value.length).toBe(256);
    expect(value.charCodeAt(0x80)).toBe(0x80);
    expect(wsgiStringToBytes(value)).toEqual(bytes);
  });

  test('long byte runs convert (no call-stack overflow)', () => {
    const bytes = new Uint8Array(200_000).fill(0xe9);
    expect(bytesToWsgiString(bytes)).toBe('\xe9'.repeat(200_000));
  });

  test('a code unit above U+00FF is not a WSGI string', () => {
    expect(isWsgiString('caf\xe9')).toBe(true);
    expect(isWsgiString('€')).toBe(false);
    expect(isWsgiString(1)).toBe(false);
    expect(() => wsgiStringToBytes('a€')).toThrow(/U\+20AC at index 1/);
  });

  test('UTF-8 text ↔ WSGI string', () => {
    expect(textToWsgiString('/café')).toBe('/caf\u00c3\u00a9');
    expect(wsgiStringToText('/caf\u00c3\u00a9')).toBe('/café');
    expect(textToWsgiString('plain')).toBe('plain');
  });

  test('invalid UTF-8 becomes U+FFFD, or throws with fatal', () => {
    expect(wsgiStringToText('a\xff')).toBe('a\ufffd');
    expect(() => wsgiStringToText('a\xff', { fatal: true })).toThrow(TypeError);
  });

  propertyTest.prop([fc.string({ unit: 'grapheme' })])(
    'text survives a round trip through a WSGI string',
    (text) => {
      const wsgi = textToWsgiString(text);
      expect(isWsgiString(wsgi)).toBe(true);
      expect(wsgiStringToText(wsgi, { fatal: true })).toBe(text);
    },
  );

  propertyTest.prop([fc.uint8Array({ maxLength: 100 })])('bytes survive a round trip', (bytes) => {
    expect(wsgiStringToBytes(bytesToWsgiString(bytes))).toEqual(bytes);
  });
});

describe('header names ↔ environ keys', () => {
  test('CGI mapping', () => {
    expect(headerKey('X-Forwarded-For')).toBe('HTTP_X_FORWARDED_FOR');
    expect(headerKey('content-type')).toBe('CONTENT_TYPE');
    expect(headerKey('Content-Length')).toBe('CONTENT_LENGTH');
    expect(headerKey('Host')).toBe('HTTP_HOST');
    expect(headerName('HTTP_X_FORWARDED_FOR')).toBe('X-Forwarded-For');
    expect(headerName('CONTENT_TYPE')).toBe('Content-Type');
    expect(headerName('REMOTE_ADDR')).toBeUndefined();
    expect(headerName('HTTP_')).toBeUndefined();
  });
});

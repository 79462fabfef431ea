import { describe, expect, it } from 'vitest';
import { errorPage, errorPageText } from './error-page.js';
import { hasInvalidFieldCharacter, isDigits, isToken, trimFieldValue } from './field-value.js';
import { joinChunks } from './join-chunks.js';
import { reasonPhrase, statusHasNoBody } from './status.js';

describe('status facts', () => {
  it('gives the registered reason phrase, or "" for an unregistered code', () => {
    expect(reasonPhrase(200)).toBe('OK');
    expect(reasonPhrase(503)).toBe('Service Unavailable');
    expect(reasonPhrase(599)).toBe('');
  });

  it('says 1xx, 204 and 304 carry no body, and nothing else', () => {
    const bodiless = [];
    for (let code = 100; code < 600; code++) if (statusHasNoBody(code)) bodiless.push(code);
    expect(bodiless).toEqual([...Array.from({ length: 100 }, (_, index) => 100 + index), 204, 304]);
  });
});

describe('the error page', () => {
  it('is "<code>: <reason>", with the detail after a blank line', () => {
    expect(errorPageText(500)).toBe('500: Internal Server Error\n');
    expect(errorPageText(404, 'outside the mount')).toBe('404: Not Found\n\noutside the mount\n');
    expect(errorPageText(599)).toBe('599: Error\n');
  });

  it('is plain text with its length, and names the server when asked', () => {
    const page = errorPage(503, 'tsgi/1.0');
    expect(page.reason).toBe('Service Unavailable');
    expect(page.headers).toEqual([
      'Content-Type',
      'text/plain; charset=utf-8',
      'Content-Length',
      String(page.body.length),
      'Server',
      'tsgi/1.0',
    ]);
    expect(new TextDecoder().decode(page.body)).toBe('503: Service Unavailable\n');
    expect(errorPage(400).headers).not.toContain('Server');
  });
});

describe('field checks', () => {
  it('accepts tokens and refuses separators and spaces', () => {
    expect(isToken('X-Request-Id')).toBe(true);
    expect(isToken('Bad Name')).toBe(false);
    expect(isToken('a:b')).toBe(false);
    expect(isToken('')).toBe(false);
  });

  it('refuses CR, LF, NUL and characters above latin-1 in values, and keeps tabs and obs-text', () => {
    for (const bad of ['a\rb', 'a\nb', 'a\0b', 'caf\u0107']) expect(hasInvalidFieldCharacter(bad)).toBe(true);
    for (const good of ['a\tb', 'caf\u00e9', '']) expect(hasInvalidFieldCharacter(good)).toBe(false);
  });

  it('trims only spaces and tabs, returning the same string when there are none', () => {
    expect(trimFieldValue(' \tvalue \t')).toBe('value');
    expect(trimFieldValue('\u00a0v\u00a0')).toBe('\u00a0v\u00a0');
    expect(trimFieldValue('   ')).toBe('');
    const plain = 'plain';
    expect(trimFieldValue(plain)).toBe(plain);
    expect(isDigits('0123')).toBe(true);
    expect(isDigits('')).toBe(false);
    expect(isDigits('1e3')).toBe(false);
  });
});

describe('joinChunks', () => {
  it('returns a single chunk itself and joins several in order', () => {
    const one = new Uint8Array([1, 2]);
    expect(joinChunks([one], 2)).toBe(one);
    expect([...joinChunks([one, new Uint8Array([3]), new Uint8Array(0)], 3)]).toEqual([1, 2, 3]);
    expect(joinChunks([], 0).length).toBe(0);
  });

  it('allocates with the given allocator', () => {
    class Tagged extends Uint8Array {}
    const joined = joinChunks([new Uint8Array([1]), new Uint8Array([2])], 2, (length) => new Tagged(length));
    expect(joined).toBeInstanceOf(Tagged);
    expect([...joined]).toEqual([1, 2]);
  });
});

import { fc, test as property } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { finalHeaders, hopByHopHeaders, parseResponseHead, ResponseHeadError } from './response-head.js';

describe('parseResponseHead (startResponse checks)', () => {
  test('status "NNN Reason"; "200" alone gets the standard phrase', () => {
    expect(parseResponseHead('404 Not Here', [])).toMatchObject({ code: 404, reason: 'Not Here' });
    expect(parseResponseHead('200', [])).toMatchObject({ code: 200, reason: 'OK' });
    expect(parseResponseHead('299', [])).toMatchObject({ code: 299, reason: '' });
  });

  test.each([
    ['OK', /"NNN Reason"/],
    ['20 OK', /"NNN Reason"/],
    ['200  OK\r\nX: y', /control/],
    ['100 Continue', /interim/],
    [200, /must be a string/],
  ])('status %j is refused', (status, message) => {
    expect(() => parseResponseHead(status, [])).toThrow(ResponseHeadError);
    expect(() => parseResponseHead(status, [])).toThrow(message);
  });

  test.each([
    [[['Bad Name', 'v']], /not an HTTP token/],
    [[['X-A', 'a\nb']], /CR, LF, NUL/],
    [[['X-A', 'a\u0000b']], /CR, LF, NUL/],
    [[['X-A', 'caf\u20ac']], /above U\+00FF/],
    [[['X-A', 1]], /must be a string/],
    [[['X-A']], /\[name, value\] pair/],
    [[['Keep-Alive', 'timeout=5']], /hop-by-hop/],
    [[['TE', 'trailers']], /hop-by-hop/],
    [[['Upgrade', 'websocket']], /hop-by-hop/],
    [[['Content-Length', '-1']], /Content-Length/],
    [
      [
        ['Content-Length', '1'],
        ['Content-Length', '2'],
      ],
      /Content-Length/,
    ],
    ['nope', /must be an array/],
  ])('headers %j are refused', (headers, message) => {
    expect(() => parseResponseHead('200 OK', headers)).toThrow(message);
  });

  test('values are trimmed of surrounding spaces and tabs; latin-1 and inner tabs are kept', () => {
    const head = parseResponseHead('200 OK', [
      ['X-A', '  padded\t'],
      ['X-B', 'caf\u00e9\tau lait'],
      ['X_Underscore', ''],
    ]);
    expect(head.headers).toEqual(['X-A', 'padded', 'X-B', 'caf\u00e9\tau lait', 'X_Underscore', '']);
  });

  property.prop([fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,20}$/), fc.string({ unit: 'binary' })])(
    'any token name is accepted; a value is accepted exactly when it has no control or non-latin-1 character',
    (name, value) => {
      const lower = name.toLowerCase();
      fc.pre(!hopByHopHeaders.has(lower) && lower !== 'content-length');
      const acceptable = !/[^\t\x20-\x7e\x80-\xff]/.test(value);
      if (acceptable) {
        expect(parseResponseHead('200 OK', [[name, value]]).headers).toEqual([
          name,
          value.replace(/^[ \t]+|[ \t]+$/g, ''),
        ]);
      } else {
        expect(() => parseResponseHead('200 OK', [[name, value]])).toThrow(ResponseHeadError);
      }
    },
  );
});

describe('finalHeaders', () => {
  const withHeaders = (status: string, headers: Array<[string, string]>) =>
    parseResponseHead(status, headers);

  test('adds Server, the default Content-Type and a computed Content-Length when absent', () => {
    expect(finalHeaders(withHeaders('200 OK', []), 5, 'tsgi/1', 'text/html')).toEqual([
      'Server',
      'tsgi/1',
      'Content-Type',
      'text/html',
      'Content-Length',
      '5',
    ]);
  });

  test('keeps the application’s own', () => {
    const headers: Array<[string, string]> = [
      ['server', 'x'],
      ['content-type', 'a/b'],
      ['content-length', '3'],
    ];
    expect(finalHeaders(withHeaders('200 OK', headers), 5, 'tsgi/1', 'text/html')).toEqual([
      'server',
      'x',
      'content-type',
      'a/b',
      'content-length',
      '3',
    ]);
  });

  test('204 loses Content-Length and gets no Content-Type; 304 keeps its own, gets none invented', () => {
    expect(
      finalHeaders(withHeaders('204 No Content', [['Content-Length', '0']]), 0, 's', 'text/html'),
    ).toEqual(['Server', 's']);
    expect(
      finalHeaders(withHeaders('304 Not Modified', [['Content-Length', '9']]), 0, 's', 'text/html'),
    ).toEqual(['Content-Length', '9', 'Server', 's']);
  });

  test('no Server when serverSoftware is empty; no Content-Type when the default is null', () => {
    expect(finalHeaders(withHeaders('200 OK', []), -1, '', null)).toEqual([]);
  });
});

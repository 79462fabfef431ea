import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { HTTPHeaders } from './http-headers.js';

const headerName = fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/);
const headerValue = fc.stringMatching(/^[\x20-\x7e\x80-\xff]{0,20}$/);

describe('HTTPHeaders', () => {
  it('is case-insensitive, joins repeats with a comma, keeps order and case when iterated', () => {
    const headers = new HTTPHeaders(['Host', 'a', 'X-A', '1', 'x-a', '2', 'Content-Type', 'text/plain']);
    expect(headers.get('x-A')).toBe('1,2');
    expect(headers.getList('X-a')).toEqual(['1', '2']);
    expect(headers.get('missing')).toBeUndefined();
    expect(headers.getList('missing')).toEqual([]);
    expect(headers.has('CONTENT-TYPE')).toBe(true);
    expect(headers.size).toBe(4);
    expect([...headers]).toEqual([
      ['Host', 'a'],
      ['X-A', '1'],
      ['x-a', '2'],
      ['Content-Type', 'text/plain'],
    ]);
  });

  it('getList returns a copy', () => {
    const headers = HTTPHeaders.from({ A: '1' });
    headers.getList('a').push('2');
    expect(headers.getList('a')).toEqual(['1']);
  });

  it('from() takes pairs or a record', () => {
    expect(
      HTTPHeaders.from([
        ['A', '1'],
        ['a', '2'],
      ]).get('A'),
    ).toBe('1,2');
    expect(HTTPHeaders.from({ B: '3' }).toRaw()).toEqual(['B', '3']);
  });

  test.prop([fc.array(fc.tuple(headerName, headerValue), { maxLength: 20 })])(
    'getList(name) equals the values of the lines with that name, in order, for any case',
    (pairs) => {
      const headers = HTTPHeaders.from(pairs);
      for (const [name] of pairs) {
        const expected = pairs
          .filter(([other]) => other.toLowerCase() === name.toLowerCase())
          .map(([, value]) => value);
        expect(headers.getList(name.toUpperCase())).toEqual(expected);
        expect(headers.get(name.toLowerCase())).toBe(expected.join(','));
      }
      expect([...headers]).toEqual(pairs);
    },
  );
});

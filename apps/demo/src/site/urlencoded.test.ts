import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { MalformedFormError, parseURLEncoded } from './urlencoded.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('parseURLEncoded', () => {
  it('decodes +, percent escapes as UTF-8, repeated names and bare names', () => {
    const fields = parseURLEncoded(bytes('name=J%C3%BCrgen+M&message=a%26b%3Dc&tag=1&tag=2&flag&&'));
    expect(Object.fromEntries(fields)).toEqual({
      name: ['Jürgen M'],
      message: ['a&b=c'],
      tag: ['1', '2'],
      flag: [''],
    });
    expect(parseURLEncoded(new Uint8Array(0)).size).toBe(0);
  });

  it('refuses bad escapes and invalid UTF-8 instead of guessing', () => {
    for (const text of ['a=%zz', 'a=%4', 'a=%', 'a=%C3%28', 'x%FF=1']) {
      expect(() => parseURLEncoded(bytes(text)), text).toThrow(MalformedFormError);
    }
  });

  test.prop([fc.array(fc.tuple(fc.string({ minLength: 1 }), fc.string()), { maxLength: 5 })])(
    'reads back what URLSearchParams writes',
    (pairs) => {
      const encoded = new URLSearchParams(pairs).toString();
      // The map groups values under their name in the order names first appear; so does this reading.
      const expected = new Map<string, string[]>();
      for (const [name, value] of new URLSearchParams(encoded)) {
        const values = expected.get(name);
        if (values) values.push(value);
        else expected.set(name, [value]);
      }
      expect([...parseURLEncoded(bytes(encoded))]).toEqual([...expected]);
    },
  );
});

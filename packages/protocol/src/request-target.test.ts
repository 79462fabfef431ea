import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { splitTarget } from './request-target.js';

describe('splitTarget', () => {
  it('splits the origin form into path and query, dropping a fragment', () => {
    expect(splitTarget('/a/b?x=1&y#frag')).toEqual({
      form: 'origin',
      authority: undefined,
      path: '/a/b',
      query: 'x=1&y',
    });
    expect(splitTarget('/only')).toEqual({ form: 'origin', authority: undefined, path: '/only', query: '' });
    expect(splitTarget('/a#b?c').query).toBe('');
  });

  it('takes the authority of the absolute form without its userinfo, and / for an empty path', () => {
    expect(splitTarget('HTTP://user:pw@Example.com:8080/p?q')).toEqual({
      form: 'absolute',
      authority: 'Example.com:8080',
      path: '/p',
      query: 'q',
    });
    expect(splitTarget('https://example.com?x=1')).toMatchObject({ path: '/', query: 'x=1' });
  });

  it('knows the asterisk form and leaves anything else as "other"', () => {
    expect(splitTarget('*')).toMatchObject({ form: 'asterisk', path: '*' });
    expect(splitTarget('example.com:443')).toMatchObject({ form: 'other', path: 'example.com:443' });
    expect(splitTarget('1http://x/')).toMatchObject({ form: 'other' });
  });

  test.prop([fc.webPath(), fc.webQueryParameters(), fc.webFragments()])(
    'gives back the path and query an origin-form target was made of',
    (path, query, fragment) => {
      const origin = path.startsWith('/') ? path : `/${path}`;
      const target = `${origin}${query === '' ? '' : `?${query}`}${fragment === '' ? '' : `#${fragment}`}`;
      const split = splitTarget(target);
      expect(split).toEqual({ form: 'origin', authority: undefined, path: origin, query });
    },
  );
});

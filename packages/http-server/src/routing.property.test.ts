import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HTTPServerRequest } from './request.js';
import { PathMatches } from './routing.js';

/** Paths from a small alphabet, so literals and prefixes often match; line terminators included (`.` skips them). */
const pathCharacter = fc.constantFrom('/', 'a', 'b', '-', '.', '\n', '\r', '\u2028', 'é');
const path = fc.array(pathCharacter, { maxLength: 8 }).map((characters) => `/${characters.join('')}`);
const literal = fc
  .array(fc.constantFrom('/', 'a', 'b', '-'), { maxLength: 4 })
  .map((characters) => `/${characters.join('')}`);

const requestFor = (target: string) => ({ path: target }) as HTTPServerRequest;

describe('PathMatches without a regular expression', () => {
  it('decides a literal path, a literal prefix with .*, and .* exactly as the anchored regular expression does', () => {
    const pattern = fc.oneof(
      literal,
      literal.map((prefix) => `${prefix}.*`),
      fc.constant('.*'),
    );
    fc.assert(
      fc.property(pattern, path, (source, target) => {
        const matcher = new PathMatches(source);
        expect(matcher.match(requestFor(target)) !== undefined).toBe(
          new RegExp(`^(?:${source})$`).test(target),
        );
      }),
    );
  });

  it('still extracts groups and honours flags through the regular expression', () => {
    const grouped = new PathMatches('/user/(\\d+)');
    expect(grouped.match(requestFor('/user/42'))?.pathArgs).toEqual(['42']);
    expect(new PathMatches(/\/Hello/i).match(requestFor('/hello'))).toBeDefined();
    expect(new PathMatches('/a|/b').match(requestFor('/b'))).toBeDefined();
    expect(new PathMatches('/a|/b').match(requestFor('/a|/b'))).toBeUndefined();
  });
});

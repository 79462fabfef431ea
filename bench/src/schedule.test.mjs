import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { roundOrder } from './schedule.mjs';

test('round 1 keeps the order; later rounds start one server further', () => {
  expect(roundOrder(['a', 'b', 'c'], 1)).toEqual(['a', 'b', 'c']);
  expect(roundOrder(['a', 'b', 'c'], 2)).toEqual(['b', 'c', 'a']);
  expect(roundOrder(['a', 'b', 'c'], 4)).toEqual(['a', 'b', 'c']);
  expect(roundOrder([], 3)).toEqual([]);
});

test.prop([fc.uniqueArray(fc.integer(), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 50 })])(
  'every round runs every server exactly once',
  (servers, round) => {
    expect([...roundOrder(servers, round)].sort((a, b) => a - b)).toEqual([...servers].sort((a, b) => a - b));
  },
);

test.prop([fc.uniqueArray(fc.integer(), { minLength: 2, maxLength: 8 })])(
  'over as many rounds as servers, each server runs first once',
  (servers) => {
    const firsts = servers.map((_, index) => roundOrder(servers, index + 1)[0]);
    expect(new Set(firsts).size).toBe(servers.length);
  },
);

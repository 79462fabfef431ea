import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { median, relativeSpread, summarize } from './statistics.mjs';

describe('median', () => {
  test('of an odd count is the middle value', () => {
    expect(median([3, 1, 2])).toBe(2);
  });
  test('of an even count is the mean of the two middle values', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  test('refuses an empty list', () => {
    expect(() => median([])).toThrow(RangeError);
  });
  test.prop([
    fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }), { minLength: 1 }),
  ])('lies between the smallest and the largest value', (values) => {
    const middle = median(values);
    expect(middle).toBeGreaterThanOrEqual(Math.min(...values));
    expect(middle).toBeLessThanOrEqual(Math.max(...values));
  });
});

describe('summarize', () => {
  test('reports median and min–max spread, keeping every value', () => {
    expect(summarize([10, 30, 20])).toEqual({ median: 20, min: 10, max: 30, values: [10, 30, 20] });
  });
  test('ignores values that are not finite (a round that failed)', () => {
    expect(summarize([Number.NaN, 5, Number.POSITIVE_INFINITY, 7])).toEqual({
      median: 6,
      min: 5,
      max: 7,
      values: [5, 7],
    });
  });
  test('refuses a list with nothing finite in it', () => {
    expect(() => summarize([Number.NaN])).toThrow(RangeError);
  });
  test('relative spread is (max − min) / median', () => {
    expect(relativeSpread(summarize([90, 100, 120]))).toBeCloseTo(0.3);
  });
});

import { describe, expect, it } from 'vitest';
import { renderMandelbrot } from './mandelbrot.js';

describe('renderMandelbrot', () => {
  it('paints points inside the set black and points outside in colour', () => {
    const width = 64;
    const height = 48;
    const { pixels } = renderMandelbrot({ width, height, iterations: 100 });
    expect(pixels.length).toBe(width * height * 3);
    const pixel = (column: number, row: number) => [
      ...pixels.subarray((row * width + column) * 3, (row * width + column) * 3 + 3),
    ];
    // The middle of the picture is c ≈ -0.75 + 0i, inside the set.
    expect(pixel(width / 2, height / 2)).toEqual([0, 0, 0]);
    // The left edge of the middle row is c ≈ -2.5, which escapes after one iteration.
    expect(pixel(0, height / 2).some((channel) => channel > 0)).toBe(true);
  });
});

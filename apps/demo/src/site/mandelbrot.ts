/**
 * The Mandelbrot set, drawn synchronously: deliberately CPU-bound work that would stall an event loop, which is
 * why the demo's gateway application runs on a thread pool.
 */
import type { RGBImage } from './png.js';

/** How big a picture the page accepts; beyond these a request gets a 400 rather than minutes of CPU. */
export const mandelbrotLimits = {
  width: { min: 16, max: 2048, default: 640 },
  height: { min: 16, max: 2048, default: 480 },
  iterations: { min: 1, max: 5000, default: 500 },
} as const;

export interface MandelbrotOptions {
  readonly width: number;
  readonly height: number;
  readonly iterations: number;
}

/** A colour for a point that escaped after `n` of `max` iterations; points inside the set are black. */
function paint(pixels: Uint8Array, offset: number, n: number, max: number): void {
  if (n >= max) return; // inside: stays black (the buffer starts zeroed)
  const t = Math.sqrt(n / max);
  pixels[offset] = Math.round(9 * (1 - t) * t * t * t * 255);
  pixels[offset + 1] = Math.round(15 * (1 - t) * (1 - t) * t * t * 255);
  pixels[offset + 2] = Math.round(8.5 * (1 - t) * (1 - t) * (1 - t) * t * 255);
}

/** How many iterations the point `cr + ci·i` takes to escape, or `iterations` if it stays (it is in the set). */
export function escapeTime(cr: number, ci: number, iterations: number): number {
  let zr = 0;
  let zi = 0;
  let n = 0;
  while (n < iterations && zr * zr + zi * zi <= 4) {
    const next = zr * zr - zi * zi + cr;
    zi = 2 * zr * zi + ci;
    zr = next;
    n++;
  }
  return n;
}

/** Renders the whole set (x in [-2.5, 1], y centred on 0, square pixels) into an RGB image. */
export function renderMandelbrot({ width, height, iterations }: MandelbrotOptions): RGBImage {
  const pixels = new Uint8Array(width * height * 3);
  const scale = Math.max(3.5 / width, 2.4 / height);
  const left = -0.75 - (width / 2) * scale;
  const top = -(height / 2) * scale;
  for (let row = 0; row < height; row++) {
    const ci = top + row * scale;
    for (let column = 0; column < width; column++) {
      const cr = left + column * scale;
      paint(pixels, (row * width + column) * 3, escapeTime(cr, ci, iterations), iterations);
    }
  }
  return { width, height, pixels };
}

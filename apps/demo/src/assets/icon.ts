/**
 * The demo's icon, drawn by the demo itself: a small Mandelbrot set, encoded by the demo's own PNG encoder, served
 * as `/static/icon.png` and, wrapped in an ICO file, as `/favicon.ico` (which browsers ask every site for).
 */
import { escapeTime } from '../site/mandelbrot.js';
import { encodePNG } from '../site/png.js';

/** The icon's width and height in pixels. */
export const iconSize = 64;

const iterations = 48;
/** Samples per pixel along each axis: 3 × 3 samples smooth the edge of the set. */
const samples = 3;
/** The part of the plane shown: the whole set, a little off centre so that it fills the square. */
const centre = { re: -0.76, im: 0 };
const halfWidth = 1.32;

/** From the header's navy (far from the set) through the site's blue to white (the set itself). */
function colour(n: number): [number, number, number] {
  if (n >= iterations) return [255, 255, 255];
  const t = (n / iterations) ** 0.4;
  const navy = [12, 20, 51];
  const blue = [92, 122, 255];
  return [0, 1, 2].map((channel) => Math.round(navy[channel]! + (blue[channel]! - navy[channel]!) * t)) as [
    number,
    number,
    number,
  ];
}

/** The icon as a PNG. */
export function iconPNG(): Buffer {
  const pixels = new Uint8Array(iconSize * iconSize * 3);
  const step = (2 * halfWidth) / (iconSize * samples);
  for (let row = 0; row < iconSize; row++) {
    for (let column = 0; column < iconSize; column++) {
      const sum = [0, 0, 0];
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const re = centre.re - halfWidth + (column * samples + sx + 0.5) * step;
          const im = centre.im - halfWidth + (row * samples + sy + 0.5) * step;
          const rgb = colour(escapeTime(re, im, iterations));
          for (let channel = 0; channel < 3; channel++) sum[channel]! += rgb[channel]!;
        }
      }
      for (let channel = 0; channel < 3; channel++) {
        pixels[(row * iconSize + column) * 3 + channel] = Math.round(sum[channel]! / (samples * samples));
      }
    }
  }
  return encodePNG({ width: iconSize, height: iconSize, pixels });
}

/**
 * An ICO file holding one PNG image, the form every current browser reads: a 6-byte header, one 16-byte
 * directory entry, then the PNG itself.
 */
export function icoFromPNG(png: Uint8Array, size: number): Buffer {
  const header = Buffer.alloc(22);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(1, 4); // one image
  header[6] = size % 256; // width (0 means 256)
  header[7] = size % 256; // height
  header[8] = 0; // no palette
  header[9] = 0; // reserved
  header.writeUInt16LE(1, 10); // colour planes
  header.writeUInt16LE(24, 12); // bits per pixel: the PNG is 8-bit RGB
  header.writeUInt32LE(png.length, 14);
  header.writeUInt32LE(header.length, 18); // where the PNG starts
  return Buffer.concat([header, png]);
}

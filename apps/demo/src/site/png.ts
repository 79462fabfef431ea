/**
 * A minimal PNG encoder: 8-bit RGB, no interlacing, every scanline with filter type 0, compressed by
 * `node:zlib`'s deflate, each chunk checked by `node:zlib`'s `crc32()` (Node 20.15 and later). Enough for a
 * picture drawn pixel by pixel, with no image library.
 */
import { crc32, deflateSync } from 'node:zlib';

/** The eight bytes every PNG file starts with. */
export const pngSignature: Uint8Array = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** An RGB picture: `pixels` holds `width * height * 3` bytes, row by row. */
export interface RGBImage {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const framed = Buffer.alloc(12 + data.length);
  framed.writeUInt32BE(data.length, 0);
  framed.write(type, 4, 'latin1');
  framed.set(data, 8);
  // The CRC covers the chunk type and its data, not the length.
  framed.writeUInt32BE(crc32(framed.subarray(4, 8 + data.length)), 8 + data.length);
  return framed;
}

/** Encodes an RGB image as a PNG file. */
export function encodePNG({ width, height, pixels }: RGBImage): Buffer {
  if (pixels.length !== width * height * 3) {
    throw new RangeError(`expected ${width * height * 3} bytes of RGB pixels, got ${pixels.length}`);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour (RGB)
  // Bytes 10-12 stay 0: deflate compression, adaptive filtering, no interlace.

  const rowLength = width * 3;
  const scanlines = Buffer.alloc((rowLength + 1) * height);
  for (let row = 0; row < height; row++) {
    // Each scanline starts with its filter type byte, 0 (None).
    scanlines.set(pixels.subarray(row * rowLength, (row + 1) * rowLength), row * (rowLength + 1) + 1);
  }
  return Buffer.concat([
    pngSignature,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(scanlines)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readPNGChunks } from '../../test/png-chunks.js';
import { encodePNG } from './png.js';

describe('encodePNG', () => {
  it('writes signature, IHDR, IDAT and IEND whose scanlines inflate back to the pixels', () => {
    const pixels = Uint8Array.from({ length: 3 * 2 * 3 }, (_, index) => index * 7);
    const png = encodePNG({ width: 3, height: 2, pixels });
    // Every PNG ends with the same IEND chunk, whose CRC-32 is AE 42 60 82: a check independent of node:zlib.
    expect([...png.subarray(-4)]).toEqual([0xae, 0x42, 0x60, 0x82]);
    const chunks = readPNGChunks(png);
    expect(chunks.map((chunk) => chunk.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const header = chunks[0]!.data;
    expect([header.readUInt32BE(0), header.readUInt32BE(4), header[8], header[9]]).toEqual([3, 2, 8, 2]);
    const scanlines = inflateSync(chunks[1]!.data);
    expect(scanlines).toEqual(Buffer.from([0, ...pixels.subarray(0, 9), 0, ...pixels.subarray(9)]));
  });

  it('refuses pixels that do not fit the size', () => {
    expect(() => encodePNG({ width: 2, height: 2, pixels: new Uint8Array(5) })).toThrow(RangeError);
  });
});

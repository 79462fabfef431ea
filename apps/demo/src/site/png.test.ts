import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readPNGChunks } from '../../test/png-chunks.js';
import { crc32 } from './crc32.js';
import { encodePNG } from './png.js';

describe('crc32', () => {
  it('matches the standard check value and continues across pieces', () => {
    const text = new TextEncoder().encode('123456789');
    expect(crc32(text)).toBe(0xcbf43926);
    expect(crc32(text.subarray(4), crc32(text.subarray(0, 4)))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe('encodePNG', () => {
  it('writes signature, IHDR, IDAT and IEND whose scanlines inflate back to the pixels', () => {
    const pixels = Uint8Array.from({ length: 3 * 2 * 3 }, (_, index) => index * 7);
    const chunks = readPNGChunks(encodePNG({ width: 3, height: 2, pixels }));
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

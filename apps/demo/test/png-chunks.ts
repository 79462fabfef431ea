import { crc32 } from 'node:zlib';
import { expect } from 'vitest';
import { pngSignature } from '../src/site/png.js';

/** Splits a PNG into its chunks, checking each CRC as a decoder would. */
export function readPNGChunks(png: Uint8Array): { type: string; data: Buffer }[] {
  const buffer = Buffer.from(png);
  expect(buffer.subarray(0, 8)).toEqual(Buffer.from(pngSignature));
  const chunks: { type: string; data: Buffer }[] = [];
  let offset = 8;
  while (offset < buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    const data = buffer.subarray(offset + 8, offset + 8 + length);
    expect(buffer.readUInt32BE(offset + 8 + length), `CRC of ${type}`).toBe(
      crc32(buffer.subarray(offset + 4, offset + 8 + length)),
    );
    chunks.push({ type, data });
    offset += 12 + length;
  }
  return chunks;
}

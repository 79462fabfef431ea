/**
 * CRC-32 (ISO-HDLC, the one PNG and zlib use). `node:zlib` only gained `crc32()` in Node 22, and the demo runs
 * on Node 20, so it is computed here from its 256-entry table.
 */
const table = new Uint32Array(256);
for (let byte = 0; byte < 256; byte++) {
  let value = byte;
  for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
  table[byte] = value >>> 0;
}

/** The CRC-32 of `bytes`, continuing from `previous` when the data arrives in pieces. */
export function crc32(bytes: Uint8Array, previous = 0): number {
  let crc = ~previous >>> 0;
  for (const byte of bytes) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

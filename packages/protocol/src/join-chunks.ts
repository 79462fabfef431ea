/**
 * Joins body chunks into one buffer of `length` bytes: the one body collector. One chunk is returned as it is
 * (no copy). `allocate` makes the buffer (`Buffer.allocUnsafe` on Node keeps `Buffer` methods); by default a
 * plain `Uint8Array`.
 */
export function joinChunks(
  chunks: readonly Uint8Array[],
  length: number,
  allocate: (length: number) => Uint8Array = newBuffer,
): Uint8Array {
  if (chunks.length === 1 && chunks[0]!.length === length) return chunks[0]!;
  const joined = allocate(length);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  return joined;
}

function newBuffer(length: number): Uint8Array {
  return new Uint8Array(length);
}

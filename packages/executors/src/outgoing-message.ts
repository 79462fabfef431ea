/**
 * A message as it leaves a worker by `postMessage`: its chunks prepared for the trip, and the bytes that count
 * against the credit window. Chunks are a `Uint8Array` message, or `Uint8Array`s one level down in an array or a
 * plain object.
 */

/** Chunks at least this large are copied once and transferred; smaller ones are cloned with the message. */
const transferThreshold = 16 * 1024;

/** What `prepareOutgoing()` found: the chunks' bytes, and the buffers to transfer. */
export const outgoingFound: { bytes: number; transfer: ArrayBuffer[] | undefined } = {
  bytes: 0,
  transfer: undefined,
};

/**
 * Prepares a chunk for the trip: never detaches the caller's buffer (it may be reused, like a constant body),
 * and never clones a whole pooled 8 KiB slab for a view of a few bytes.
 */
function outgoingChunk(view: Uint8Array): Uint8Array {
  outgoingFound.bytes += view.byteLength;
  if (view.byteLength >= transferThreshold) {
    const copy = new Uint8Array(view);
    outgoingFound.transfer ??= [];
    outgoingFound.transfer.push(copy.buffer);
    return copy;
  }
  return view.byteOffset === 0 && view.byteLength === view.buffer.byteLength ? view : view.slice();
}

/** The message with its chunks prepared (a copy only where one changed); see `outgoingFound`. */
export function prepareOutgoing(message: unknown): unknown {
  outgoingFound.bytes = 0;
  outgoingFound.transfer = undefined;
  if (message instanceof Uint8Array) return outgoingChunk(message);
  if (Array.isArray(message)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < message.length; index++) {
      const value: unknown = message[index];
      if (value instanceof Uint8Array) {
        const prepared = outgoingChunk(value);
        if (prepared !== value) {
          copy ??= message.slice();
          copy[index] = prepared;
        }
      }
    }
    return copy ?? message;
  }
  if (isPlainObject(message)) {
    let copy: Record<string, unknown> | undefined;
    for (const key in message) {
      const value = message[key];
      if (value instanceof Uint8Array) {
        const prepared = outgoingChunk(value);
        if (prepared !== value) {
          copy ??= { ...message };
          copy[key] = prepared;
        }
      }
    }
    return copy ?? message;
  }
  return message;
}

/** The bytes of a message's chunks (as `prepareOutgoing()` counts them), without preparing anything. */
export function chunkBytes(message: unknown): number {
  if (message instanceof Uint8Array) return message.byteLength;
  let bytes = 0;
  if (Array.isArray(message)) {
    for (const value of message) if (value instanceof Uint8Array) bytes += value.byteLength;
  } else if (isPlainObject(message)) {
    for (const key in message) {
      const value = message[key];
      if (value instanceof Uint8Array) bytes += value.byteLength;
    }
  }
  return bytes;
}

/** The bytes of buffers a caller listed to transfer: what they count against the window. */
export function transferBytes(transfer: readonly ArrayBuffer[]): number {
  let bytes = 0;
  for (const buffer of transfer) bytes += buffer.byteLength;
  return bytes;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;
}

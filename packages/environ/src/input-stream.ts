import { joinChunks } from '@tsgi/protocol';
import type { InputStream } from './types.js';

/**
 * A synchronous source of request-body bytes. `read(maxBytes)` returns between 1 and `maxBytes` bytes, or
 * `null` at the end of the body (an empty array is taken as the end too). It may block until bytes arrive
 * (for example a worker thread waiting on a SharedArrayBuffer channel). The array it returns belongs to the
 * caller from then on: the reader must not reuse its memory.
 */
export interface ByteReader {
  read(maxBytes: number): Uint8Array | null;
  /** Copies up to `target.length` bytes into `target`; returns how many, 0 at the end (optional: `read()` serves). */
  readInto?(target: Uint8Array): number;
}

const EMPTY = new Uint8Array(0);
const NEWLINE = 0x0a;
/** How many bytes to ask the reader for when the caller's request gives no better size. */
const PULL_SIZE = 65536;

/** A `ByteReader` over bytes already in memory. Returns views of `bytes`, never copies. */
export class BufferReader implements ByteReader {
  readonly #bytes: Uint8Array;
  #position = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  read(maxBytes: number): Uint8Array | null {
    const position = this.#position;
    if (position >= this.#bytes.length || !(maxBytes > 0)) return null;
    const end = Math.min(this.#bytes.length, position + maxBytes);
    this.#position = end;
    return this.#bytes.subarray(position, end);
  }
}

/**
 * `wsgi.input`: the request body as a file-like object, read synchronously.
 *
 * Built over bytes in memory (`new WSGIInputStream(body)`) or over a blocking `ByteReader`. With a `length`
 * (the request's `CONTENT_LENGTH`) it never returns more than that many bytes and stops asking the reader once
 * they have been read, so a read never blocks past the end of the body. Reads return `Uint8Array`s, which may
 * share memory with the body or with the reader's chunks; an empty array means the end of the body.
 */
export class WSGIInputStream implements InputStream {
  /** The source of further bytes; `null` once it has ended or the length was reached. */
  #reader: ByteReader | null;
  /** Bytes the reader may still deliver before the length is reached (`Infinity` when unknown). */
  #remaining: number;
  /** Bytes pulled but not yet returned: `#buffer[#start..]`. */
  #buffer: Uint8Array;
  #start = 0;

  /**
   * @param source the whole body, or a reader that delivers it.
   * @param length the body's length (`CONTENT_LENGTH`): reads stop there even if the source has more.
   */
  constructor(source: Uint8Array | ByteReader, length?: number) {
    if (length !== undefined && !(Number.isSafeInteger(length) && length >= 0)) {
      throw new RangeError(`wsgi.input length must be a non-negative integer, got ${String(length)}`);
    }
    if (source instanceof Uint8Array) {
      this.#buffer = length === undefined || length >= source.length ? source : source.subarray(0, length);
      this.#reader = null;
      this.#remaining = 0;
    } else {
      this.#buffer = EMPTY;
      this.#remaining = length ?? Number.POSITIVE_INFINITY;
      this.#reader = this.#remaining > 0 ? source : null;
    }
  }

  /** Reads up to `size` bytes (fewer only at the end); with no size, `null` or a negative size, reads the rest. */
  read(size?: number | null): Uint8Array {
    if (size == null || !(size >= 0) || size === Number.POSITIVE_INFINITY) {
      return this.#collect(Number.POSITIVE_INFINITY, false);
    }
    return this.#collect(Math.floor(size), false);
  }

  /**
   * Reads up to `target.length` bytes into `target` (fewer only at the end); returns how many. What `read(size)`
   * returns, without allocating it: a reader that can copy into the target (a worker thread's) is asked to.
   */
  readInto(target: Uint8Array): number {
    let filled = 0;
    const buffered = this.#buffer.length - this.#start;
    if (buffered > 0) {
      filled = Math.min(buffered, target.length);
      target.set(this.#buffer.subarray(this.#start, this.#start + filled));
      this.#start += filled;
    }
    while (filled < target.length && this.#reader !== null) {
      const reader = this.#reader;
      const wanted = Math.min(target.length - filled, this.#remaining);
      let count: number;
      if (reader.readInto !== undefined) count = reader.readInto(target.subarray(filled, filled + wanted));
      else {
        const chunk = reader.read(wanted);
        count = chunk === null ? 0 : Math.min(chunk.length, wanted);
        if (count > 0) target.set(chunk!.subarray(0, count), filled);
      }
      if (count === 0) {
        this.#reader = null;
        break;
      }
      filled += count;
      this.#remaining -= count;
      if (this.#remaining === 0) this.#reader = null;
    }
    return filled;
  }

  /** Reads one line including its `\n`, or at most `size` bytes of it. Returns an empty array at the end. */
  readline(size?: number | null): Uint8Array {
    const limit = size == null || !(size >= 0) ? Number.POSITIVE_INFINITY : Math.floor(size);
    return this.#collect(limit, true);
  }

  /** Reads lines until the end, or until the lines read add up to at least `hint` bytes (when `hint` > 0). */
  readlines(hint?: number | null): Uint8Array[] {
    const lines: Uint8Array[] = [];
    const stopAt = hint == null || !(hint > 0) ? Number.POSITIVE_INFINITY : hint;
    let total = 0;
    for (;;) {
      const line = this.readline();
      if (line.length === 0) return lines;
      lines.push(line);
      total += line.length;
      if (total >= stopAt) return lines;
    }
  }

  /** Iterates over the remaining lines. */
  *[Symbol.iterator](): Iterator<Uint8Array> {
    for (;;) {
      const line = this.readline();
      if (line.length === 0) return;
      yield line;
    }
  }

  /** Returns up to `limit` bytes, stopping after the first `\n` when `untilNewline`; pulls only what it needs. */
  #collect(limit: number, untilNewline: boolean): Uint8Array {
    if (limit === 0) return EMPTY;
    let parts: Uint8Array[] | null = null;
    let total = 0;
    for (;;) {
      let buffer = this.#buffer;
      let start = this.#start;
      if (start === buffer.length) {
        const chunk = this.#pull(untilNewline ? PULL_SIZE : limit - total);
        if (chunk === null) break;
        buffer = this.#buffer = chunk;
        start = 0;
      }
      let end = start + Math.min(buffer.length - start, limit - total);
      // The read has what it asked for: its size, or (readline) a whole line.
      let satisfied = total + (end - start) === limit;
      if (untilNewline) {
        // Search only up to `end`: a small size on a long line must not scan the whole buffer each time.
        const newline =
          end === buffer.length
            ? buffer.indexOf(NEWLINE, start)
            : buffer.subarray(start, end).indexOf(NEWLINE) + start;
        if (newline >= start) {
          end = newline + 1;
          satisfied = true;
        }
      }
      this.#start = end;
      total += end - start;
      const piece = start === 0 && end === buffer.length ? buffer : buffer.subarray(start, end);
      if (parts === null) {
        if (satisfied) return piece;
        parts = [piece];
      } else {
        parts.push(piece);
        if (satisfied) break;
      }
    }
    return parts === null ? EMPTY : joinChunks(parts, total);
  }

  /** The next chunk from the reader (clamped to the length), or `null` at the end. */
  #pull(wanted: number): Uint8Array | null {
    const reader = this.#reader;
    if (reader === null) return null;
    const remaining = this.#remaining;
    const ask = Math.min(Number.isFinite(wanted) ? Math.max(wanted, PULL_SIZE) : PULL_SIZE, remaining);
    let chunk = reader.read(ask);
    if (chunk === null || chunk.length === 0) {
      this.#reader = null;
      return null;
    }
    if (chunk.length > remaining) chunk = chunk.subarray(0, remaining);
    this.#remaining = remaining - chunk.length;
    if (this.#remaining === 0) this.#reader = null;
    return chunk;
  }
}

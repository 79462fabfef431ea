/**
 * A single-producer, single-consumer ring of records in a SharedArrayBuffer: how work reaches a worker and how
 * its answers come back without a `postMessage` (and its wake-up) per message.
 *
 * Layout: a header of Int32 fields (`RingField`), then `capacity` bytes of data (a power of two). `written` and
 * `read` are running byte counts that wrap at 2^32; their difference is what the consumer has not taken yet. Each
 * record is a u32 length and a value in `ValueCodec`'s form, padded to 4 bytes, and never split: a record that
 * does not fit before the end of the data is preceded by a skip marker and starts again at offset 0. A record that
 * does not fit at all is refused (`RingWrite.full`), as is a value the codec cannot encode: the caller sends those
 * another way. The producer's writes to the data happen before its `Atomics.store` of `written`, which the
 * consumer loads before reading them; the consumer's `Atomics.store` of `read` releases the space.
 */
import { ValueCodec } from './value-codec.js';

/** Header fields (Int32 indexes). */
export const RingField = {
  /** Bytes the producer has written (running count). */
  written: 0,
  /** Bytes the consumer has taken (running count). */
  read: 1,
  /** 1 while the consumer sleeps, waiting on `written`: only then must the producer notify it. */
  waiting: 2,
} as const;
const headerBytes = 16;
const skipMarker = 0xffffffff;

/** What `RingWriter.write` did. */
export const RingWrite = { written: 0, full: 1, unencodable: 2 } as const;

/** A new ring with `capacity` bytes of data (rounded up to a power of two, at least 64). */
export function createRing(capacity: number): SharedArrayBuffer {
  let size = 64;
  while (size < capacity) size *= 2;
  return new SharedArrayBuffer(headerBytes + size);
}

class RingSide {
  readonly header: Int32Array;
  protected readonly data: Uint8Array;
  protected readonly view: DataView;
  protected readonly codec: ValueCodec;
  readonly capacity: number;

  constructor(ring: SharedArrayBuffer) {
    this.header = new Int32Array(ring, 0, headerBytes / 4);
    this.data = new Uint8Array(ring, headerBytes);
    this.view = new DataView(ring, headerBytes);
    this.codec = new ValueCodec(this.data);
    this.capacity = this.data.byteLength;
  }
}

/** The producer's side. */
export class RingWriter extends RingSide {
  private written: number;

  constructor(ring: SharedArrayBuffer) {
    super(ring);
    this.written = Atomics.load(this.header, RingField.written);
  }

  /** Appends one record holding `value`. */
  write(value: unknown): (typeof RingWrite)[keyof typeof RingWrite] {
    const { capacity, written } = this;
    const free = capacity - ((written - Atomics.load(this.header, RingField.read)) | 0);
    const position = written & (capacity - 1);
    const contiguous = capacity - position;
    let end = this.codec.encode(value, position + 4, position + Math.min(contiguous, free));
    if (end === -2) return RingWrite.unencodable;
    if (end >= 0) {
      this.commit(position, end - position - 4, 0);
      return RingWrite.written;
    }
    if (free <= contiguous) return RingWrite.full;
    // Past the end of the data: skip to its start, where the consumer has freed `free - contiguous` bytes.
    end = this.codec.encode(value, 4, free - contiguous);
    if (end === -2) return RingWrite.unencodable;
    if (end < 0) return RingWrite.full;
    this.view.setUint32(position, skipMarker, true);
    this.commit(0, end - 4, contiguous);
    return RingWrite.written;
  }

  private commit(position: number, length: number, skipped: number): void {
    this.view.setUint32(position, length, true);
    this.written = (this.written + skipped + ((length + 7) & ~3)) | 0;
    Atomics.store(this.header, RingField.written, this.written);
  }

  /** Whether a record of `bytes` bytes (header and padding included) would fit now, wherever the ring stands. */
  hasRoom(bytes: number): boolean {
    const free = this.capacity - ((this.written - Atomics.load(this.header, RingField.read)) | 0);
    const contiguous = this.capacity - (this.written & (this.capacity - 1));
    return contiguous >= bytes ? free >= bytes : free - contiguous >= bytes;
  }

  /** Whether the consumer sleeps and must be notified (`Atomics.notify(header, RingField.written)`). */
  consumerWaits(): boolean {
    return Atomics.load(this.header, RingField.waiting) === 1;
  }
}

/** What `RingReader.read` returns when the ring is empty. */
export const ringEmpty: unique symbol = Symbol('ringEmpty');

/** The consumer's side. */
export class RingReader extends RingSide {
  private read_: number;

  constructor(ring: SharedArrayBuffer) {
    super(ring);
    this.read_ = Atomics.load(this.header, RingField.read);
  }

  /** The next record's value, or `ringEmpty`. */
  read(): unknown {
    for (;;) {
      if (this.read_ === Atomics.load(this.header, RingField.written)) return ringEmpty;
      const position = this.read_ & (this.capacity - 1);
      const length = this.view.getUint32(position, true);
      if (length === skipMarker) {
        this.release(this.capacity - position);
        continue;
      }
      const value = this.codec.decode(position + 4);
      this.release((length + 7) & ~3);
      return value;
    }
  }

  private release(bytes: number): void {
    this.read_ = (this.read_ + bytes) | 0;
    Atomics.store(this.header, RingField.read, this.read_);
  }

  /** The `written` count to wait on: a record written after this read changes it. */
  writtenCount(): number {
    return Atomics.load(this.header, RingField.written);
  }
}

/**
 * The answer ring: one worker thread's messages to the main thread, as records in a SharedArrayBuffer. One writer
 * (the worker), one reader (the main thread), no locks: the writer publishes a record by advancing `written`
 * after every byte of it is in place, so the reader never sees half a record — a thread that dies mid-write leaves
 * nothing the reader would take for a message.
 *
 * A record is a 4-byte length and that many payload bytes, padded to 4 bytes, always contiguous: one that does not
 * fit before the end of the buffer starts again at its beginning, after a wrap marker. A full ring makes the writer
 * wait (`Atomics.wait`) until the reader has taken enough; the reader never waits.
 */

/** Fields of the ring's header (an `Int32Array` at the start of its buffer). */
const Header = {
  /** Bytes the writer has published, a running total wrapping at 2^32. */
  written: 0,
  /** Bytes the reader has taken, likewise. */
  read: 1,
  /** 1 while the main thread is woken or about to drain: the writer need not wake it again. */
  wake: 2,
  /** 1 while the writer waits for room: the reader must notify it. */
  writerWaiting: 3,
} as const;
/** Header bytes: a cache line, so the data does not share one with the counters. */
const headerBytes = 64;
/** A length no record has: the rest of the buffer is skipped. */
const wrapMarker = -1;
/** A record's own length field. */
const lengthBytes = 4;

/** The smallest ring worth having: a few answers of a small response. */
export const minimumAnswerRingBytes = 4 * 1024;

/** A ring's buffer for `dataBytes` of records (rounded up to a power of two, so offsets are a mask away). */
export function createAnswerRing(dataBytes: number): SharedArrayBuffer {
  const size = 2 ** Math.ceil(Math.log2(Math.max(minimumAnswerRingBytes, dataBytes)));
  return new SharedArrayBuffer(headerBytes + size);
}

function align(bytes: number): number {
  return (bytes + 3) & ~3;
}

/** What both ends see of the buffer. */
class AnswerRingView {
  readonly header: Int32Array;
  /** The records' space, as bytes (a Buffer: string and copy methods that work on shared memory). */
  readonly bytes: Buffer;
  /** The same space for aligned 32-bit reads and writes. */
  readonly words: Int32Array;
  readonly capacity: number;
  readonly mask: number;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.header = new Int32Array(buffer, 0, headerBytes / 4);
    this.capacity = buffer.byteLength - headerBytes;
    this.mask = this.capacity - 1;
    this.bytes = Buffer.from(buffer, headerBytes, this.capacity);
    this.words = new Int32Array(buffer, headerBytes, this.capacity / 4);
  }

  /** The largest payload one record may have: it always fits an empty ring, wherever the ring's offset is. */
  get maxPayload(): number {
    return this.capacity / 2 - lengthBytes;
  }
}

/** The worker's end: reserve room, write a payload into `bytes`, commit. */
export class AnswerRingWriter extends AnswerRingView {
  private written = 0;
  /** The reserved record's offset (its length field), and the bytes skipped to reach it. */
  private recordOffset = 0;
  private skipped = 0;

  /**
   * @param wake called after a record is published while the main thread is not already woken: it must make the
   *   main thread call `AnswerRingReader.wakeHandled()` and drain (a tiny `postMessage` does).
   */
  constructor(
    buffer: SharedArrayBuffer,
    private readonly wake: () => void,
    private readonly wait: (header: Int32Array, index: number, value: number) => void = defaultWait,
  ) {
    super(buffer);
  }

  /**
   * Reserves contiguous room for a payload of up to `payloadBytes` (at most `maxPayload`), waiting while the ring
   * is full; returns the offset in `bytes` where the payload goes.
   */
  reserve(payloadBytes: number): number {
    const need = align(lengthBytes + payloadBytes);
    const offset = this.written & this.mask;
    const toEnd = this.capacity - offset;
    const skip = toEnd < need ? toEnd : 0;
    this.waitForRoom(skip + need);
    if (skip > 0) this.words[offset >> 2] = wrapMarker;
    this.skipped = skip;
    this.recordOffset = skip > 0 ? 0 : offset;
    return this.recordOffset + lengthBytes;
  }

  /**
   * Publishes the reserved record with the `payloadBytes` actually written (no more than reserved). `wake: false`
   * when something else is about to wake the main thread (a `postMessage` of the writer's own).
   */
  commit(payloadBytes: number, wake = true): void {
    this.words[this.recordOffset >> 2] = payloadBytes;
    this.written = (this.written + this.skipped + align(lengthBytes + payloadBytes)) | 0;
    const { header } = this;
    Atomics.store(header, Header.written, this.written);
    if (
      wake &&
      Atomics.load(header, Header.wake) === 0 &&
      Atomics.compareExchange(header, Header.wake, 0, 1) === 0
    ) {
      this.wake();
    }
  }

  private waitForRoom(bytes: number): void {
    const { header } = this;
    for (;;) {
      const read = Atomics.load(header, Header.read);
      if (this.capacity - ((this.written - read) | 0) >= bytes) return;
      Atomics.store(header, Header.writerWaiting, 1);
      // Read again after raising the flag: the reader may have taken records in between without notifying.
      if (Atomics.load(header, Header.read) === read) {
        // What is in the ring must reach a reader that may be asleep, or this wait would never end.
        if (Atomics.compareExchange(header, Header.wake, 0, 1) === 0) this.wake();
        this.wait(header, Header.read, read);
      }
      Atomics.store(header, Header.writerWaiting, 0);
    }
  }
}

function defaultWait(header: Int32Array, index: number, value: number): void {
  Atomics.wait(header, index, value);
}

/** The main thread's end: take records in order, give their room back. */
export class AnswerRingReader extends AnswerRingView {
  private read = 0;
  /** The payload of the record `next()` returned: where it starts in `bytes`, and its length. */
  payloadOffset = 0;
  payloadLength = 0;
  private recordEnd = 0;

  /** Whether a published record waits. */
  get pending(): boolean {
    return Atomics.load(this.header, Header.written) !== this.read;
  }

  /** Moves to the next published record (see `payloadOffset`, `payloadLength`); false when there is none. */
  next(): boolean {
    const written = Atomics.load(this.header, Header.written);
    for (;;) {
      if (this.read === written) return false;
      const offset = this.read & this.mask;
      const length = this.words[offset >> 2]!;
      if (length === wrapMarker) {
        this.read = (this.read + this.capacity - offset) | 0;
        continue;
      }
      this.payloadOffset = offset + lengthBytes;
      this.payloadLength = length;
      this.recordEnd = (this.read + align(lengthBytes + length)) | 0;
      return true;
    }
  }

  /** Gives the current record's room back (its payload must have been copied out) and wakes a waiting writer. */
  release(): void {
    this.read = this.recordEnd;
    const { header } = this;
    Atomics.store(header, Header.read, this.read);
    if (Atomics.load(header, Header.writerWaiting) === 1) Atomics.notify(header, Header.read);
  }

  /** The drain stopped at a record that waits for something else to arrive, which will start the next one. */
  stopped(): void {
    Atomics.store(this.header, Header.wake, 0);
  }

  /**
   * The drain that a wake-up asked for is over: the writer must wake the main thread for its next record. Returns
   * true when a record came in meanwhile and the caller must drain again (no wake-up will come for it).
   */
  wakeHandled(): boolean {
    const { header } = this;
    Atomics.store(header, Header.wake, 0);
    if (!this.pending) return false;
    return this.takeWake();
  }

  /** Raises the wake flag unless the writer already did (and so has woken, or will wake, the main thread). */
  private takeWake(): boolean {
    const { header } = this;
    // Published while the flag was down again: its writer did not wake anyone. Take the flag, unless it did.
    return Atomics.compareExchange(header, Header.wake, 0, 1) === 0;
  }
}

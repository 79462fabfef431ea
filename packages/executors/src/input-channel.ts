/**
 * The request direction: a worker's blocking `read()` fed, on demand, from an async source in the main thread.
 *
 * Each worker owns one input buffer (a SharedArrayBuffer) and one `inputState` field. The worker asks for bytes
 * (`inputState` = its unit id, plus a message that wakes the main thread) and sleeps in `Atomics.wait`; the main
 * thread pulls the source only then (the first pull is what answers `Expect: 100-continue`), copies at most one
 * buffer's worth in, and flips `inputState` with a compare-and-swap, so a late answer for a unit that gave up
 * (cancelled) can never reach the next one. At most one source chunk is held in the main thread and one buffer
 * in the worker: a 1 GiB upload streams through in bounded memory.
 */
import { WorkCancelledError } from './errors.js';
import { Control, InputAnswer } from './thread-protocol.js';

/** Bytes one `read()` can move across: the size of each worker's input buffer. */
export const inputCapacity = 64 * 1024;

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Worker side: blocking reads for the unit that is running. */
export class BlockingInputReader {
  private ended = false;

  constructor(
    private readonly control: Int32Array,
    private readonly buffer: Uint8Array,
    private readonly requestInput: (unitId: number, size: number) => void,
    private readonly unitId: number,
    private readonly isCancelled: () => boolean,
  ) {}

  read(maxBytes: number): Uint8Array | null {
    if (this.ended) return null;
    if (this.isCancelled()) throw new WorkCancelledError();
    if (!(maxBytes >= 1)) return new Uint8Array(0);
    const { control } = this;
    Atomics.store(control, Control.inputState, this.unitId);
    this.requestInput(this.unitId, Math.min(Math.floor(maxBytes), inputCapacity));
    let state: number;
    for (;;) {
      const signal = Atomics.load(control, Control.signal);
      state = Atomics.load(control, Control.inputState);
      if (state < 0) break;
      if (this.isCancelled()) {
        Atomics.store(control, Control.inputState, 0);
        throw new WorkCancelledError();
      }
      Atomics.wait(control, Control.signal, signal);
    }
    const length = Atomics.load(control, Control.inputLength);
    Atomics.store(control, Control.inputState, 0);
    if (state === InputAnswer.filled) return this.buffer.slice(0, length);
    this.ended = true;
    if (state === InputAnswer.end) return null;
    throw new Error(`Reading the request body failed: ${decoder.decode(this.buffer.subarray(0, length))}`);
  }
}

/** Main-thread side: answers one unit's reads from its async source. */
export class InputFeeder {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private pending: Uint8Array | undefined;
  private finished = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** Answers a read of up to `size` bytes for `unitId`, unless that unit stopped waiting meanwhile. */
  async answer(control: Int32Array, buffer: Uint8Array, unitId: number, size: number): Promise<void> {
    let answer: number;
    let length = 0;
    try {
      const chunk = await this.take(size);
      // The unit stopped waiting (it was cancelled): nobody will read these bytes.
      if (Atomics.load(control, Control.inputState) !== unitId) return;
      if (chunk === null) answer = InputAnswer.end;
      else {
        buffer.set(chunk);
        length = chunk.byteLength;
        answer = InputAnswer.filled;
      }
    } catch (error) {
      if (Atomics.load(control, Control.inputState) !== unitId) return;
      const encoded = encoder.encode(error instanceof Error ? error.message : String(error));
      length = Math.min(encoded.byteLength, buffer.byteLength);
      buffer.set(encoded.subarray(0, length));
      answer = InputAnswer.error;
    }
    Atomics.store(control, Control.inputLength, length);
    if (Atomics.compareExchange(control, Control.inputState, unitId, answer) === unitId) {
      Atomics.add(control, Control.signal, 1);
      Atomics.notify(control, Control.signal);
    }
  }

  private async take(size: number): Promise<Uint8Array | null> {
    while (!this.pending || this.pending.byteLength === 0) {
      if (this.finished) return null;
      const next = await this.iterator.next();
      if (next.done) {
        this.finished = true;
        return null;
      }
      this.pending = next.value;
    }
    const chunk = this.pending.subarray(0, size);
    this.pending = this.pending.subarray(chunk.byteLength);
    return chunk;
  }
}

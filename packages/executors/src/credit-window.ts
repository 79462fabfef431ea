/**
 * The response direction's backpressure: a worker may have at most `messages` messages, or `bytes` bytes, sent
 * but not yet delivered to the caller's `onMessage`. Past that, `send()` sleeps in `Atomics.wait` until the main
 * thread acknowledges, so a slow client holds the application back instead of piling chunks up in memory
 * (Node's MessagePort has no flow control of its own: nodejs/node#37428).
 *
 * Totals are running counts that wrap at 2^31; their difference is what is in flight. They span units of work,
 * so a unit that ends with messages still undelivered simply hands its debt to the next one on the thread.
 */
import { WorkCancelledError } from './errors.js';
import { Control } from './thread-protocol.js';

/** Worker side: counts what was sent and blocks while the window is full. */
export class CreditWindow {
  private sentMessages = 0;
  private sentBytes = 0;

  constructor(
    private readonly control: Int32Array,
    private readonly maxMessages: number,
    private readonly maxBytes: number,
  ) {}

  /** Waits for room for one message of `bytes` bytes (one message always fits in an empty window). */
  acquire(bytes: number, isCancelled: () => boolean): void {
    const { control } = this;
    for (;;) {
      const signal = Atomics.load(control, Control.signal);
      if (isCancelled()) throw new WorkCancelledError();
      const messages = (this.sentMessages - Atomics.load(control, Control.ackedMessages)) | 0;
      if (messages === 0) break;
      const inFlightBytes = (this.sentBytes - Atomics.load(control, Control.ackedBytes)) | 0;
      if (messages < this.maxMessages && inFlightBytes + bytes <= this.maxBytes) break;
      Atomics.wait(control, Control.signal, signal);
    }
    this.sentMessages = (this.sentMessages + 1) | 0;
    this.sentBytes = (this.sentBytes + bytes) | 0;
  }

  /** Gives back what `acquire` took for a message that could not be sent after all (it did not clone). */
  release(bytes: number): void {
    this.sentMessages = (this.sentMessages - 1) | 0;
    this.sentBytes = (this.sentBytes - bytes) | 0;
  }
}

/** Main-thread side: one message of `bytes` bytes was delivered; wake the worker if it waits for room. */
export function acknowledge(control: Int32Array, bytes: number): void {
  Atomics.add(control, Control.ackedMessages, 1);
  if (bytes !== 0) Atomics.add(control, Control.ackedBytes, bytes);
  Atomics.add(control, Control.signal, 1);
  Atomics.notify(control, Control.signal);
}

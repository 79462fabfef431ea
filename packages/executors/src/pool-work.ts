/**
 * One unit of work as the pool tracks it, and the delivery of its messages to the caller's `onMessage`: in
 * order, one at a time (a returned promise holds the rest back), each acknowledged to the worker's credit window
 * once delivered.
 */
import { acknowledge } from './credit-window.js';
import type { Work } from './executor.js';
import type { InputFeeder } from './input-channel.js';
import type { ResolvedModuleReference } from './module-reference.js';
import type { SharedInputRegion } from './shared-input.js';
import { type InputFile, isInputFile } from './spooled-input.js';
import { Control } from './thread-protocol.js';

/** An item of a unit's delivery queue: a message, or the end. */
export type Delivery =
  | { readonly message: unknown; readonly bytes: number; readonly end?: undefined }
  | { readonly end: true; readonly error: Error | undefined };

/** What a unit needs of the thread it was handed to. */
export interface PoolWorkThread {
  readonly control: Int32Array;
}

/** What a unit needs of its pool. */
export interface PoolWorkOwner {
  /** The caller's `onMessage` failed: stop the work. */
  cancel(unit: PoolWork<PoolWorkThread>): void;
  /** The unit's `run()` promise settled. */
  settled(unit: PoolWork<PoolWorkThread>): void;
}

export class PoolWork<Thread extends PoolWorkThread> {
  worker: Thread | undefined;
  id = 0;
  feeder: InputFeeder | undefined;
  timer: NodeJS.Timeout | undefined;
  readonly queue: Delivery[] = [];
  /** `onMessage` returned a promise that has not settled. */
  busy = false;
  /** When the pending `onMessage` promise began (`performance.now()`), or -1: how long the caller holds it back. */
  busySince = -1;
  /** When the handler began waiting for input the source has not given yet, or -1. */
  inputWaitSince = -1;
  /** The worker finished the handler; undelivered messages no longer count against its window. */
  finishedOnWorker = false;
  unackedMessages = 0;
  unackedBytes = 0;
  /** Messages are no longer delivered (cancelled, failed, timed out). */
  dropping = false;
  settled = false;
  error: unknown;
  /** The input's file until it is released: once no thread can read it any more. */
  inputFile: InputFile | undefined;
  /** Where the pool copied the input in shared memory, until it is released likewise. */
  inputRegion: SharedInputRegion | undefined;

  constructor(
    readonly work: Work<unknown>,
    readonly reference: ResolvedModuleReference,
    readonly timeoutMs: number | undefined,
    private readonly resolve: () => void,
    private readonly reject: (error: unknown) => void,
    private readonly owner: PoolWorkOwner,
  ) {
    this.inputFile = isInputFile(work.input) ? work.input : undefined;
  }

  /**
   * Closes the input's file and frees its shared memory. Only when no thread reads it: not started, finished, or
   * its thread exited.
   */
  releaseInput(): void {
    this.inputRegion?.release();
    this.inputRegion = undefined;
    const file = this.inputFile;
    if (file === undefined) return;
    this.inputFile = undefined;
    file.release();
  }

  /**
   * Whether the unit has been waiting on its caller for `graceMs` at a stretch: its messages are not taken (a
   * client that does not read) or its input does not come (a client that does not send).
   */
  stalledFor(graceMs: number, now: number): boolean {
    const since = this.busySince >= 0 ? this.busySince : this.inputWaitSince;
    return since >= 0 && now - since >= graceMs;
  }

  /** Resolves or rejects `run()` (once), with the caller's own `onMessage` failure first. */
  settle(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    // A unit still on a live thread (a timeout, a close deadline) keeps its file until that thread exits.
    if (this.worker === undefined || this.finishedOnWorker) this.releaseInput();
    const failure = this.error ?? error;
    if (failure === undefined) this.resolve();
    else this.reject(failure);
    this.owner.settled(this);
  }

  /** The worker is done with the handler and moves on: what this unit still owes its window must not hold that back. */
  finishOnWorker(): void {
    this.finishedOnWorker = true;
    this.releaseInput();
    if (this.unackedMessages > 0 && this.worker) {
      const { control } = this.worker;
      Atomics.add(control, Control.ackedMessages, this.unackedMessages);
      Atomics.add(control, Control.ackedBytes, this.unackedBytes);
      Atomics.add(control, Control.signal, 1);
      Atomics.notify(control, Control.signal);
    }
  }

  enqueue(delivery: Delivery): void {
    // Work being dropped ends at once: a caller whose onMessage never settles must not hold run() open.
    if (delivery.end && this.dropping) this.settle(delivery.error);
    else if (this.busy || this.queue.length > 0) this.queue.push(delivery);
    else this.deliver(delivery);
  }

  /** Delivers one item; returns false while `onMessage`'s promise holds the rest back. */
  private deliver(delivery: Delivery): boolean {
    if (delivery.end) {
      this.settle(delivery.error);
      return true;
    }
    if (this.dropping) {
      this.acknowledge(delivery.bytes);
      return true;
    }
    let result: void | Promise<void>;
    try {
      result = this.work.onMessage(delivery.message);
    } catch (error) {
      this.onMessageFailed(error, delivery.bytes);
      return true;
    }
    if (result && typeof result.then === 'function') {
      this.busy = true;
      this.busySince = performance.now();
      result.then(
        () => {
          this.busy = false;
          this.busySince = -1;
          this.acknowledge(delivery.bytes);
          this.deliverQueued();
        },
        (error: unknown) => {
          this.busy = false;
          this.busySince = -1;
          this.onMessageFailed(error, delivery.bytes);
          this.deliverQueued();
        },
      );
      return false;
    }
    this.acknowledge(delivery.bytes);
    return true;
  }

  private deliverQueued(): void {
    while (this.queue.length > 0) {
      if (!this.deliver(this.queue.shift()!)) return;
    }
  }

  private onMessageFailed(error: unknown, bytes: number): void {
    this.error ??= error;
    this.acknowledge(bytes);
    this.owner.cancel(this);
  }

  private acknowledge(bytes: number): void {
    this.unackedMessages--;
    this.unackedBytes -= bytes;
    if (!this.finishedOnWorker && this.worker) acknowledge(this.worker.control, bytes);
  }
}

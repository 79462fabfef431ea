/**
 * What the pool and its worker threads share: the layout of each worker's control block (an `Int32Array` over a
 * SharedArrayBuffer), the message tags on the worker's MessagePort, and how errors cross the thread boundary.
 *
 * Messages are small arrays (`[tag, unitId, …]`) rather than objects: cheaper to clone on the hot path.
 */

import {
  type SerializedError as SerializedGatewayError,
  serializeError as serializeGatewayError,
} from '@tsgi/protocol';
import { WorkCancelledError } from './errors.js';
import { ModuleLoadError, type ResolvedModuleReference } from './module-reference.js';

/** Control block fields (indexes into the `Int32Array`). */
export const Control = {
  /** Bumped (then notified) by the main thread after every change the worker may be waiting for. */
  signal: 0,
  /** Messages, and bytes, the main thread has delivered to `onMessage` (running totals, wrapping at 2^31). */
  ackedMessages: 1,
  ackedBytes: 2,
  /** 0 idle; a unit id while that unit waits for input; then one of `InputAnswer`. */
  inputState: 3,
  /** Bytes of input (or of an error message) the main thread placed in the input buffer. */
  inputLength: 4,
  /** When the worker started its running unit: milliseconds since `WorkerData.clockBase`. */
  startedAt: 5,
  /** Unit slots: each holds `unitId << 2 | WorkState` for the unit assigned to it (see `workSlot`). */
  slots: 8,
} as const;
/** More slots than units a worker may hold, so a live unit never has to share one. */
export const slotCount = 16;
export const controlLength = Control.slots + slotCount;
/** Unit ids stay below 2^29 so that `id << 2 | state` fits an Int32. */
export const maxWorkId = 0x1fffffff;

/**
 * Where a unit's state lives, and the values it moves through. Compare-and-swap on these values decides races
 * between the threads (who moves first wins), and because each value carries the unit's id, a stale unit
 * (revoked, its slot since given to another) can never act on a newer unit's state.
 */
export const WorkState = {
  dispatched: 0,
  started: 1,
  /** Taken back by the main thread before it started (cancelled, or moved to an idle worker). */
  revoked: 2,
  /** Cancelled while running: the next `send()`/`read()` throws. */
  cancelled: 3,
} as const;

export function workSlot(unitId: number): number {
  return Control.slots + (unitId & (slotCount - 1));
}

export function workSlotValue(unitId: number, state: number): number {
  return (unitId << 2) | state;
}

export const InputAnswer = { filled: -1, end: -2, error: -3 } as const;

/** Main thread → worker. */
export const ToWorker = { work: 1, load: 2, batch: 3 } as const;
/** Worker → main thread. */
export const ToMain = {
  ready: 1,
  loaded: 2,
  message: 3,
  read: 4,
  done: 5,
  failed: 6,
  output: 7,
  /** The answer ring holds records and the main thread was not already draining it. */
  drain: 8,
  /** Fills the ring's place for a unit message that could not be posted after all (it did not clone). */
  unsent: 9,
} as const;

/**
 * A unit's input as it travels to its worker: the whole body, where it lies in the pool's shared input buffer,
 * `true` when it streams through the input channel, an open file (`InputFile`'s descriptor and length), or
 * `false` for none.
 */
export type WorkInput =
  | Uint8Array
  | boolean
  | { readonly offset: number; readonly length: number }
  | { readonly fd: number; readonly length: number };

/** What `new Worker()` receives as `workerData`. */
export interface WorkerData {
  readonly port: import('node:worker_threads').MessagePort;
  readonly control: SharedArrayBuffer;
  readonly input: SharedArrayBuffer;
  /** The pool's shared input buffer (`SharedInput`), if it has one. */
  readonly sharedInput: SharedArrayBuffer | undefined;
  /** The worker's answer ring (`answer-ring.ts`), unless the pool posts every answer. */
  readonly answers: SharedArrayBuffer | undefined;
  readonly modules: readonly ResolvedModuleReference[];
  readonly windowMessages: number;
  readonly windowBytes: number;
  readonly clockBase: number;
  /** Added to the thread's nice value (`ThreadPoolExecutorOptions.workerNice`). */
  readonly nice: number;
}

/**
 * An error as it crosses threads (protocol's `SerializedError`), with what the pool needs to rebuild its own
 * errors: a string or number `code`, and a failed module's reference.
 */
export interface SerializedError extends SerializedGatewayError {
  readonly code?: string | number | undefined;
  readonly reference?: ResolvedModuleReference | string | undefined;
}

export function serializeError(error: unknown): SerializedError {
  const serialized = serializeGatewayError(error);
  if (!(error instanceof Error)) return serialized;
  // Only values that surely clone: the error must reach the main thread even when its extras cannot.
  const code = (error as { code?: unknown }).code;
  return {
    ...serialized,
    code: typeof code === 'string' || typeof code === 'number' ? code : undefined,
    reference: error instanceof ModuleLoadError ? error.reference : undefined,
  };
}

export function deserializeError(serialized: SerializedError): Error {
  let error: Error;
  if (serialized.name === 'WorkCancelledError') error = new WorkCancelledError(serialized.message);
  else if (serialized.name === 'ModuleLoadError') {
    error = new ModuleLoadError(serialized.message, serialized.reference ?? '');
  } else {
    error = new Error(serialized.message);
    if (serialized.name !== 'Error') Object.defineProperty(error, 'name', { value: serialized.name });
    if (serialized.code !== undefined) Object.assign(error, { code: serialized.code });
  }
  if (serialized.stack) error.stack = serialized.stack;
  return error;
}

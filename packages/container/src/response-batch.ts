/**
 * The batching rules of a response body: chunks produced back to back are joined into one message (fewer
 * writes, and fewer thread crossings on a pool), but a slow producer's chunks go out at once, so batching never
 * delays a byte by more than a millisecond.
 *
 * The functions work on the gateway's response record itself (it has these fields), so no request allocates a
 * second object for them.
 */

import { joinChunks } from '@tsgi/protocol';

/** Largest batch of chunks joined into one message. */
export const batchLimit = 128 * 1024;
/** Chunks produced within this long of the first one in a batch go out together. */
export const batchWindowMs = 1;
/** A pull that took longer than this predicts a slow producer: flush before the next one. */
const slowPullMs = 1;

/** The chunks waiting to go out together. */
export interface ResponseBatch {
  /** The batch's first chunk; `null` while the batch is empty. */
  batchFirst: Uint8Array | null;
  /** The batch's later chunks: made on a batch's second chunk only, then reused (a one-chunk body needs none). */
  batchRest: Uint8Array[] | null;
  batchBytes: number;
  /** When the batch's first chunk was produced (`performance.now()`). */
  batchStart: number;
}

export function addToBatch(batch: ResponseBatch, chunk: Uint8Array): void {
  if (batch.batchFirst === null) batch.batchFirst = chunk;
  else if (batch.batchRest === null) batch.batchRest = [chunk];
  else batch.batchRest.push(chunk);
  batch.batchBytes += chunk.length;
}

/** Drops what is queued (a replaced response's body goes with nothing). */
export function clearBatch(batch: ResponseBatch): void {
  batch.batchFirst = null;
  batch.batchRest = null;
  batch.batchBytes = 0;
}

/** Whether the pull that ran from `pullStart` to `pullEnd` took long enough to predict a slow producer. */
export function pullWasSlow(pullStart: number, pullEnd: number): boolean {
  return pullEnd - pullStart > slowPullMs;
}

/** Whether the pull that ran from `pullStart` to `pullEnd` sends the batch now: it was slow, or the window passed. */
export function pullEndsBatch(batch: ResponseBatch, pullStart: number, pullEnd: number): boolean {
  return pullWasSlow(pullStart, pullEnd) || pullEnd - batch.batchStart >= batchWindowMs;
}

/** Empties the batch into one chunk (the first itself when it is alone), or `null` when it is empty. */
export function takeBatch(batch: ResponseBatch): Uint8Array | null {
  const { batchFirst, batchRest, batchBytes } = batch;
  if (batchFirst === null) return null;
  batch.batchFirst = null;
  batch.batchBytes = 0;
  if (batchRest === null || batchRest.length === 0) return batchFirst;
  batchRest.unshift(batchFirst);
  // Uninitialised (every byte is written) and never pooled: the buffer is the batch's own, so it can be
  // transferred to another thread.
  const joined = markOwnBuffer(joinChunks(batchRest, batchBytes, Buffer.allocUnsafeSlow));
  batchRest.length = 0;
  return joined;
}

/**
 * Only buffers the gateway made itself (joined batches, encoded strings) are transferred to the container's
 * thread: a chunk the application returned may be a constant it sends again, which a transfer would detach.
 */
const ownBuffers = new WeakSet<ArrayBufferLike>();

/** Records that the gateway made `bytes` itself (so its buffer may be transferred); returns it. */
export function markOwnBuffer(bytes: Uint8Array): Uint8Array {
  ownBuffers.add(bytes.buffer);
  return bytes;
}

/** Whether `chunk`'s buffer is one the gateway made itself. */
export function isOwnBuffer(chunk: Uint8Array): boolean {
  return ownBuffers.has(chunk.buffer);
}

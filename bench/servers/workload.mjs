/**
 * What every JavaScript server of the benchmark answers, so all of them do exactly the same work:
 * the 13-byte hello body, the stream's 100 chunks of 1 KiB, the calibrated sha256 burn, and the large body
 * for the slow-reader workload. The Python twin is app.py; keep the two in step.
 */
import { createHash } from 'node:crypto';

export const helloBody = Buffer.from('Hello, world!');
export const streamChunkCount = 100;
export const streamChunk = Buffer.alloc(1024, 'a');
export const largeChunk = Buffer.alloc(64 * 1024, 'b');

/** sha256 updates per `cpu` request: calibrated by the harness so one request burns ~5 ms here. */
export const cpuUpdates = Number(process.env.BENCH_CPU_UPDATES ?? 300);
/** Bytes of the slow-reader response. */
export const largeBytes = Number(process.env.BENCH_LARGE_BYTES ?? 256 * 1024 * 1024);

const cpuBlock = Buffer.alloc(16 * 1024, 'c');

/**
 * Synchronous CPU work: `updates` sha256 updates of 16 KiB (blocks that large keep the per-call cost of the
 * language negligible, so Node and Python do the same work in OpenSSL).
 * @param {number} updates
 * @returns {string} the hex digest, so the work cannot be optimised away
 */
export function burnCpu(updates) {
  const hash = createHash('sha256');
  for (let index = 0; index < updates; index++) hash.update(cpuBlock);
  return hash.digest('hex');
}

/** The chunks of the large response, lazily: 64 KiB at a time up to `largeBytes`. */
export function* largeChunks() {
  for (let sent = 0; sent < largeBytes; sent += largeChunk.length) {
    yield sent + largeChunk.length <= largeBytes ? largeChunk : largeChunk.subarray(0, largeBytes - sent);
  }
}

/** Tells the harness the server is up: one line it waits for. */
export function announceListening(/** @type {number} */ port) {
  process.stdout.write(`LISTENING ${port}\n`);
}

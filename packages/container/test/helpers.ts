import { connect } from 'node:net';
import { expect } from 'vitest';

/**
 * Sends raw bytes (a string as latin-1), returns everything the server sent until it closed the connection.
 * Rejects when the connection stays open and silent for `idleMs`: a hung connection is a failure. With
 * `halfClose`, the client shuts down its sending side after the request (`shutdown(SHUT_WR)`) and keeps reading.
 */
export function rawExchange(
  port: number,
  request: string | Buffer,
  idleMs = 3000,
  { halfClose = false } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    const finish = () => {
      socket.destroy();
      resolve(Buffer.concat(parts).toString('latin1'));
    };
    const hung = () => {
      socket.destroy();
      reject(new Error(`connection left open: ${Buffer.concat(parts).toString('latin1')}`));
    };
    let timer = setTimeout(hung, idleMs);
    socket.on('data', (part) => {
      parts.push(part);
      clearTimeout(timer);
      timer = setTimeout(hung, idleMs);
    });
    socket.on('end', () => {
      clearTimeout(timer);
      finish();
    });
    socket.on('error', reject);
    const bytes = typeof request === 'string' ? Buffer.from(request, 'latin1') : request;
    if (halfClose) socket.end(bytes);
    else socket.write(bytes);
  });
}

/** Resolves once `condition()` holds, checking every 5 ms; rejects after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise<void>((resolve) => setTimeout(resolve, 5));
  }
}

/** Blocks the calling thread, as a synchronous application does. */
export function sleepSync(milliseconds: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, milliseconds);
}

/** Python's `threading.Barrier(parties, timeout)` for synchronous code: throws `broken barrier` on timeout. */
export class Barrier {
  readonly #state = new Int32Array(new SharedArrayBuffer(8));
  constructor(
    readonly parties: number,
    readonly timeoutMs: number,
  ) {}
  wait(): void {
    if (Atomics.load(this.#state, 1) === 1) throw new Error('broken barrier');
    const arrived = Atomics.add(this.#state, 0, 1) + 1;
    if (arrived >= this.parties) {
      Atomics.notify(this.#state, 0);
      return;
    }
    if (Atomics.wait(this.#state, 0, arrived, this.timeoutMs) === 'timed-out') {
      Atomics.store(this.#state, 1, 1);
      throw new Error('broken barrier');
    }
  }
}

/** Sends a chunked POST of 2400 bytes; returns the raw answer after checking it holds exactly one response. */
export async function postTooLarge(port: number): Promise<string> {
  const body = `${(800).toString(16)}\r\n${'x'.repeat(800)}\r\n`.repeat(3) + '0\r\n\r\n';
  const response = await rawExchange(
    port,
    `POST /upload HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n${body}`,
  );
  expect(response.match(/HTTP\/1\.1 /g)).toHaveLength(1);
  return response;
}

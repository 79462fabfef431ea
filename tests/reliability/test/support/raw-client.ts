import { connect, type Socket } from 'node:net';

/** Shuts down the client's sending side (a FIN: `shutdown(SHUT_WR)`), and keeps reading. */
export const halfClose: unique symbol = Symbol('half-close');

/** A step of a raw conversation: bytes to send, a pause in milliseconds, or `halfClose`. */
export type Step = string | Buffer | number | typeof halfClose;

export interface Exchange {
  /** Everything the server sent. */
  data: Buffer;
  /** Whether the server closed the connection before `waitMs` ran out. */
  closed: boolean;
  /** Milliseconds from connect to close (or to giving up). */
  elapsedMs: number;
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Opens a loopback connection, plays `steps` (strings are latin-1 bytes; numbers are pauses; `halfClose` ends the
 * sending side), and collects what the server sends until it closes the connection or `waitMs` passes from
 * connect. The client never closes its reading side first.
 */
export function exchange(port: number, steps: Step[] | Step, waitMs = 3000): Promise<Exchange> {
  const plan = Array.isArray(steps) ? steps : [steps];
  return new Promise((resolve) => {
    const started = performance.now();
    const socket: Socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = false;
    const finish = () => {
      clearTimeout(timer);
      resolve({ data: Buffer.concat(chunks), closed, elapsedMs: performance.now() - started });
    };
    const timer = setTimeout(() => {
      socket.destroy();
      finish();
    }, waitMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.once('connect', async () => {
      for (const step of plan) {
        if (closed || socket.destroyed) return;
        if (typeof step === 'number') await delay(step);
        else if (typeof step === 'symbol')
          socket.end(); // halfClose
        else socket.write(typeof step === 'string' ? Buffer.from(step, 'latin1') : step);
      }
    });
  });
}

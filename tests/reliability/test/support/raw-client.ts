import { connect, type Socket } from 'node:net';

/** A step of a raw conversation: bytes to send, or a pause in milliseconds. */
export type Step = string | Buffer | number;

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
 * Opens a loopback connection, plays `steps` (strings are latin-1 bytes; numbers are pauses), and collects what the
 * server sends until it closes the connection or `waitMs` passes from connect. The client never closes first.
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
        else socket.write(typeof step === 'string' ? Buffer.from(step, 'latin1') : step);
      }
    });
  });
}

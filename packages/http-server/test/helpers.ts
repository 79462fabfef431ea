import { connect } from 'node:net';
import { testLogger } from '../../../test-support/test-logger.js';
import {
  HTTPServer,
  type HTTPServerOptions,
  type RequestCallback,
  type RequestHandler,
} from '../src/index.js';

/** Starts a server on 127.0.0.1:0 with a recording logger (unless one is given). */
export async function serve(callback: RequestCallback | RequestHandler, options: HTTPServerOptions = {}) {
  const logger = testLogger();
  const server = new HTTPServer(callback, { logger, ...options });
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    server,
    port,
    logger,
    url: `http://127.0.0.1:${port}`,
    close: () => server.close({ timeoutMs: 1000 }),
  };
}

export interface RawResult {
  /** Everything the server sent, as latin-1. */
  data: string;
  /** Whether the server closed the connection before the wait ran out. */
  closed: boolean;
}

/**
 * Writes raw bytes to the server and collects the reply until the server closes the connection or `waitMs`
 * passes without it closing. With `halfClose`, the client shuts down its sending side after the payload (a FIN,
 * `shutdown(SHUT_WR)`) and keeps reading.
 */
export function rawRequest(
  port: number,
  payload: string | Buffer,
  waitMs = 2000,
  { halfClose = false } = {},
): Promise<RawResult> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ data, closed: false });
    }, waitMs);
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ data, closed: true });
    });
    const bytes = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload;
    if (halfClose) socket.end(bytes);
    else socket.write(bytes);
  });
}

/** Resolves after `ms` milliseconds. */
export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The status code of the first response in a raw reply. */
export function statusOf(data: string): number {
  return Number(/^HTTP\/1\.[01] (\d{3})/.exec(data)?.[1] ?? 0);
}

/** Decodes a chunked body that starts at `offset` of a raw reply; returns the payload and where it ended. */
export function dechunk(data: string, offset = 0): { payload: string; end: number } {
  let payload = '';
  let position = offset;
  while (true) {
    const lineEnd = data.indexOf('\r\n', position);
    const size = Number.parseInt(data.slice(position, lineEnd), 16);
    position = lineEnd + 2;
    if (size === 0) return { payload, end: position + 2 };
    payload += data.slice(position, position + size);
    position += size + 2;
  }
}

/**
 * Test support: a Python application served by WSGIContainer + HTTPServer over loopback, a logger that keeps
 * its lines, raw-socket requests, and Debian's Flask when the project's script can install it.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WSGIContainer } from '@tsgi/container';
import type { Executor } from '@tsgi/executors';
import { HTTPServer } from '@tsgi/http-server';
import { type TestLogger, testLogger } from '../../../test-support/test-logger.js';
import { type PythonApplicationOptions, pythonApplication } from '../src/index.js';

export const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const distPackages = '/usr/lib/python3/dist-packages';

// The shared test logger, under the names these tests use.
export type MemoryLogger = TestLogger;
export const memoryLogger = testLogger;

export interface PythonServer {
  readonly url: string;
  readonly port: number;
  readonly logger: MemoryLogger;
  /** A writable host directory the application sees (`TSGI_TEST_EVENTS`). */
  readonly events: string;
  /** The lines the application recorded in `events/events.log`. */
  recorded(): string[];
  close(): Promise<void>;
}

/** Serves `module:callable` from the fixtures directory on `executor`, with a writable events directory. */
export async function servePython(
  app: string,
  executor: Executor,
  options: PythonApplicationOptions = {},
): Promise<PythonServer> {
  const events = mkdtempSync(join(tmpdir(), 'tsgi-python-test-'));
  const logger = memoryLogger();
  const container = new WSGIContainer(
    pythonApplication(app, {
      chdir: fixtures,
      env: { TSGI_TEST_EVENTS: events },
      mounts: [{ hostPath: events, writable: true }],
      ...options,
    }),
    { executor, logger },
  );
  const server = new HTTPServer(container, { logger });
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    logger,
    events,
    recorded: () => {
      try {
        return readFileSync(join(events, 'events.log'), 'utf8').split('\n').filter(Boolean);
      } catch {
        return [];
      }
    },
    close: async () => {
      await server.close({ timeoutMs: 0 });
      await executor.close();
      rmSync(events, { recursive: true, force: true });
    },
  };
}

/** Waits (polling) until `condition` holds; fails after `timeoutMs`. */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Sends a raw request, reads until `enough(received)` says so (or the server closes), then destroys the socket:
 * a client that leaves in the middle of a response.
 */
export function readThenLeave(
  port: number,
  request: string,
  enough: (received: number) => boolean,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = 0;
    socket.on('data', (data) => {
      received += data.length;
      if (enough(received)) {
        socket.destroy();
        resolve(received);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.write(request);
  });
}

/** Sends raw bytes and returns everything until the server closes the connection. */
export function rawExchange(port: number, request: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    socket.on('data', (data) => parts.push(data));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(parts).toString('latin1')));
    socket.write(request);
  });
}

let flask: { available: true } | { available: false; reason: string } | undefined;

/** Debian's python3-flask, installed by scripts/ensure-python-flask.sh when missing (as root with apt-get). */
export function flaskAvailability(): { available: true } | { available: false; reason: string } {
  if (flask !== undefined) return flask;
  const script = fileURLToPath(new URL('../../../scripts/ensure-python-flask.sh', import.meta.url));
  const result = spawnSync('bash', [script], { encoding: 'utf8', timeout: 300_000 });
  flask =
    result.status === 0
      ? { available: true }
      : {
          available: false,
          reason: `python3-flask is not available (${result.stderr.trim() || `ensure-python-flask.sh exited ${result.status}`})`,
        };
  return flask;
}

/**
 * The process policy: which executors a gateway container accepts.
 *
 * A gateway application receives an environ holding live objects (`wsgi.input` reads the request body as it
 * arrives, `wsgi.errors` writes to the server's logger) and answers through a `startResponse` callback and a
 * streamed iterable. None of these can be copied into another process, exactly as Tornado refuses
 * `ProcessPoolExecutor` (its environ is not picklable). Threads share the process, so they are fine.
 */
import type { Executor } from './executor.js';

/** Thrown when a container is given an executor that runs work in other processes. */
export class ProcessExecutorRejectedError extends TypeError {
  override readonly name = 'ProcessExecutorRejectedError';
  constructor(readonly executor: Executor) {
    super(
      `A process-based executor (kind: 'process') cannot run gateway applications: the environ holds live ` +
        `streams (wsgi.input, wsgi.errors) and the response is streamed through callbacks, none of which can ` +
        `cross a process boundary. Use a ThreadPoolExecutor to run the application off the event loop, or ` +
        `HTTPServer.start(n) to serve from several processes.`,
    );
  }
}

const methods = ['load', 'run', 'close'] as const;

/**
 * Checks that `executor` is an `Executor` a gateway container can use: throws a `TypeError` naming what is
 * missing when it is not an executor, and a `ProcessExecutorRejectedError` when it runs work in other processes.
 */
export function assertExecutorSupported(executor: unknown): asserts executor is Executor {
  if (typeof executor !== 'object' || executor === null) {
    throw new TypeError(`An executor must be an object implementing Executor; got ${String(executor)}`);
  }
  const candidate = executor as Partial<Record<string, unknown>>;
  const missing: string[] = methods.filter((name) => typeof candidate[name] !== 'function');
  if (typeof candidate.multithread !== 'boolean') missing.push('multithread');
  if (missing.length > 0) {
    throw new TypeError(`Not an Executor: ${missing.join(', ')} missing (see the Executor interface)`);
  }
  if (candidate.kind === 'process') throw new ProcessExecutorRejectedError(executor as Executor);
  if (candidate.kind !== 'inline' && candidate.kind !== 'thread') {
    throw new TypeError(
      `Unknown executor kind ${JSON.stringify(candidate.kind)}: expected 'inline' or 'thread'`,
    );
  }
}

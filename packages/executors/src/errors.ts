/**
 * Errors an executor reports. Each has a stable `name` (and, where a server maps it to a status, a `code`), so a
 * caller can tell them apart even after they crossed a thread boundary (`@tsgi/protocol` holds both).
 */
import { errorCodes, errorNames } from '@tsgi/protocol';

/**
 * The work was cancelled (the caller aborted its signal, usually because the client went away). Thrown in the
 * handler by `port.send()` and `port.read()`, so the handler stops iterating and runs its cleanup, as waitress's
 * `ClientDisconnected` does; `run()` rejects with it when the handler lets it through.
 */
export class WorkCancelledError extends Error {
  override readonly name = errorNames.workCancelled;
  readonly code = errorCodes.workCancelled;
  constructor(message = 'The work was cancelled (the client went away)', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The work ran longer than its `timeoutMs`; its worker thread was terminated and replaced. */
export class WorkTimeoutError extends Error {
  override readonly name = errorNames.workTimeout;
  readonly code = errorCodes.workTimeout;
  constructor(readonly timeoutMs: number) {
    super(`The work ran longer than ${timeoutMs} ms; its worker thread was terminated and replaced`);
  }
}

/** The executor's queue is full: the work was refused at once (a server answers 503 Service Unavailable). */
export class QueueFullError extends Error {
  override readonly name = errorNames.queueFull;
  readonly code = errorCodes.queueFull;
  constructor(readonly maxQueue: number) {
    super(`The executor's queue is full (maxQueue ${maxQueue}); try again later`);
  }
}

/**
 * The worker thread running the work died: it threw outside the handler, called `process.exit()`, or ran out
 * of memory under `resourceLimits`. Only the work on that thread fails; the pool replaces the thread.
 */
export class WorkerCrashedError extends Error {
  override readonly name = errorNames.workerCrashed;
  readonly code = errorCodes.workerCrashed;
  constructor(
    message: string,
    readonly exitCode: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * `run()` or `load()` was called after `close()`, or the work was still unfinished when `close()`'s deadline
 * passed (a server answers 503 Service Unavailable).
 */
export class ExecutorClosedError extends Error {
  override readonly name = errorNames.executorClosed;
  readonly code = errorCodes.executorClosed;
  constructor(message = 'The executor is closed') {
    super(message);
  }
}

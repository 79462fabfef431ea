/** Errors a unit of work ends with when the caller stops it. */

/** Thrown by `WorkPort.send()` / `read()` once the work was cancelled (the caller aborted, the client went away). */
export class WorkCancelledError extends Error {
  override readonly name = 'WorkCancelledError';
  constructor(message = 'The work was cancelled') {
    super(message);
  }
}

/** The rejection of `Executor.run()` when the work ran longer than its `timeoutMs`. */
export class WorkTimeoutError extends Error {
  override readonly name = 'WorkTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`The work did not finish within ${timeoutMs} ms`);
  }
}

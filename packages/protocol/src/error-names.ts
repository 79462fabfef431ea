/**
 * The names of the errors that cross a thread or a package boundary, where `instanceof` cannot recognise them
 * (an error re-created on another thread has only its name). `@tsgi/executors` names its errors with these;
 * the container decides its answer by them.
 */
export const errorNames = {
  /** The client went away, or the executor cancelled the work: nothing is answered. */
  workCancelled: 'WorkCancelledError',
  /** The executor's queue was full: 503. */
  queueFull: 'QueueFullError',
  /** The executor closed (or gave up work at a close deadline): 503. */
  executorClosed: 'ExecutorClosedError',
  /** The work ran past its `timeoutMs`: 500. */
  workTimeout: 'WorkTimeoutError',
  /** The worker thread running the work died: 500. */
  workerCrashed: 'WorkerCrashedError',
  /** The request body could not be stored before the work ran: 500. */
  inputSpool: 'InputSpoolError',
} as const;

/** The stable `code` of each of those errors (Node's `ERR_*` style), by the same keys. */
export const errorCodes = {
  workCancelled: 'ERR_WORK_CANCELLED',
  queueFull: 'ERR_QUEUE_FULL',
  executorClosed: 'ERR_EXECUTOR_CLOSED',
  workTimeout: 'ERR_WORK_TIMEOUT',
  workerCrashed: 'ERR_WORKER_CRASHED',
  inputSpool: 'ERR_INPUT_SPOOL',
} as const satisfies Record<keyof typeof errorNames, string>;

/** Whether an error means the work was cancelled (the client went away) rather than failed. */
export function isWorkCancelled(error: unknown): error is Error {
  return error instanceof Error && error.name === errorNames.workCancelled;
}

/** Whether an executor error means "busy or stopping, try again later" (answered 503 while nothing was sent). */
export function isUnavailable(error: unknown): error is Error {
  return (
    error instanceof Error &&
    (error.name === errorNames.queueFull || error.name === errorNames.executorClosed)
  );
}

/** Whether an error ended the work from outside (a timeout, a crash, a close deadline): one log line suffices. */
export function endedByExecutor(name: string): boolean {
  return (
    name === errorNames.workTimeout || name === errorNames.workerCrashed || name === errorNames.executorClosed
  );
}

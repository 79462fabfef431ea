/**
 * The `Executor` interface: where a unit of work runs.
 *
 * A JavaScript function cannot cross into a worker thread, so a unit of work names its handler by module
 * reference (an inline executor also accepts the function itself). One request is one unit of work: the
 * handler runs from start to end on one thread, talks to the caller through a `WorkPort`, and the caller's
 * `onMessage` paces it (backpressure).
 */

import type { InputFile } from './spooled-input.js';

/** Where an executor runs work: on the event-loop thread, on worker threads, or in other processes. */
export type ExecutorKind = 'inline' | 'thread' | 'process';

/**
 * Names an export of a module so that any thread can import it:
 * `{ module, export }`, or a string `"./dist/app.js#app"` (`#default` when no export is named).
 * `module` may be a file path, a `file:` URL string, a `URL`, or a package specifier.
 */
export type ModuleReference = string | URL | { readonly module: string | URL; readonly export?: string };

/** A handler: runs one unit of work, reading input and sending messages through its port. */
export type WorkHandler<Payload = unknown> = (payload: Payload, port: WorkPort) => void | Promise<void>;

/** One unit of work for an executor. */
export interface Work<Payload = unknown> {
  /** The function to run. Thread executors need a module reference: a function cannot cross threads. */
  readonly handler: ModuleReference | WorkHandler<Payload>;
  /** Data for the handler; structured-cloned when the work crosses to another thread. */
  readonly payload: Payload;
  /**
   * Bytes the handler reads with `port.read()`: a buffer; an open file (`InputFile`, which the executor releases
   * once no thread reads it any more); or an async source. A thread pool pulls an async source only as the handler
   * reads (so a large upload is never held in memory at once, but the handler waits for it); an inline executor
   * spools it first (`spoolInput()`), as a synchronous `read()` on the event loop cannot wait for bytes.
   */
  readonly input?: Uint8Array | InputFile | AsyncIterable<Uint8Array>;
  /**
   * Receives each message the handler sends, in order. A returned promise holds the handler back until it
   * settles: that is the backpressure from a slow client to the application.
   */
  readonly onMessage: (message: unknown) => void | Promise<void>;
  /** Aborting cancels the work: the handler's next `send()` or `read()` throws a `WorkCancelledError`. */
  readonly signal?: AbortSignal;
  /** After this many milliseconds the run rejects with a timeout error (thread executors end the thread). */
  readonly timeoutMs?: number;
}

/** The handler's side of a unit of work. */
export interface WorkPort {
  /**
   * Sends a message to the caller's `onMessage`. On a worker thread it blocks while the caller is behind; on the
   * event-loop thread it may return a promise instead, so always `await` what it returns.
   * Throws `WorkCancelledError` once the work is cancelled.
   *
   * `last` says the handler returns right after this message: a worker thread then holds it and hands it over
   * with the end of the work, one hand-off instead of two (a later `send()` or `read()` releases it first). The
   * message must not change until the handler returns.
   */
  send(message: unknown, transfer?: readonly ArrayBuffer[], last?: boolean): void | Promise<void>;
  /** Reads up to `maxBytes` bytes of input (blocking on a worker thread until they arrive); `null` at the end. */
  read(maxBytes: number): Uint8Array | null;
  /**
   * Reads up to `target.length` bytes of input into `target` (blocking likewise); returns how many, 0 at the end.
   * `read()` without the array it allocates: a worker thread copies a buffered body straight from shared memory.
   */
  readInto?(target: Uint8Array): number;
  /** The export a module reference names, as loaded by `Executor.load()` on this thread. Synchronous. */
  loaded<T = unknown>(reference: ModuleReference): T;
  /** Whether the work was cancelled (the caller aborted, or the client went away). */
  readonly cancelled: boolean;
}

/** Runs units of work. Implement it to run work your own way (see the package README). */
export interface Executor {
  /** Where the work runs. The container refuses `'process'`: the environ holds live streams. */
  readonly kind: ExecutorKind;
  /** Whether two units of work may run at the same time on different threads (becomes `wsgi.multithread`). */
  readonly multithread: boolean;
  /**
   * Imports modules ahead of the first `run()` on every thread that will run work, so a module that does not
   * load, or an export that is missing, fails at start-up rather than on the first request.
   */
  load(modules: readonly ModuleReference[]): Promise<void>;
  /** Runs one unit of work. Resolves when the handler returns; rejects when it throws or its thread dies. */
  run<Payload>(work: Work<Payload>): Promise<void>;
  /**
   * Refuses new work, lets queued and running work finish, then releases threads. With `timeoutMs`, work not
   * finished by then fails with `ExecutorClosedError` (a thread executor terminates the threads that run it).
   */
  close(options?: ExecutorCloseOptions): Promise<void>;
}

/** `Executor.close()` options. */
export interface ExecutorCloseOptions {
  /** How long queued and running work may take to finish; then it is ended. Default: no limit. */
  readonly timeoutMs?: number;
}

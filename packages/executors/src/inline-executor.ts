/**
 * `InlineExecutor`: runs each unit of work on the event-loop thread, as Tornado's default `dummy_executor` runs
 * a WSGI application. A synchronous application blocks the loop while it runs, so two requests never overlap
 * (`wsgi.multithread` is false); between the chunks it sends, the handler awaits `send()`, which is where a slow
 * client holds it back.
 */

import { WorkCancelledError, WorkTimeoutError } from './errors.js';
import type { Executor, ModuleReference, Work, WorkHandler, WorkPort } from './executor.js';
import { importModuleExport, moduleReferenceKey, resolveModuleReference } from './module-reference.js';
import {
  type InputFile,
  InputFileReader,
  isInputFile,
  type SpoolOptions,
  spoolInput,
} from './spooled-input.js';

const empty = new Uint8Array(0);
/** What a handler that finished synchronously resolves to: shared, so such a run allocates no promise. */
const finished: Promise<void> = Promise.resolve();

/** Options for `new InlineExecutor()`. */
export interface InlineExecutorOptions {
  /** Where an async `input` is buffered before the handler starts (memory, then a temporary file). */
  readonly spool?: SpoolOptions;
}

/** Runs work on the event-loop thread. `load()` imports module references once; `port.loaded()` returns them. */
export class InlineExecutor implements Executor {
  readonly kind = 'inline' as const;
  readonly multithread = false;
  readonly #spool: SpoolOptions | undefined;
  /** Loaded exports by resolved URL and name. */
  readonly #modules = new Map<string, unknown>();
  /** The same, by reference object: a container passes the same object for every request. */
  readonly #byReference = new WeakMap<object, unknown>();

  constructor(options: InlineExecutorOptions = {}) {
    this.#spool = options.spool;
  }

  async load(modules: readonly ModuleReference[]): Promise<void> {
    for (const reference of modules) {
      const resolved = resolveModuleReference(reference);
      const key = moduleReferenceKey(resolved);
      if (!this.#modules.has(key)) this.#modules.set(key, await importModuleExport(resolved));
    }
  }

  /** The export `reference` names, which `load()` must have imported. */
  loaded<T>(reference: ModuleReference): T {
    if (typeof reference === 'object') {
      const cached = this.#byReference.get(reference);
      if (cached !== undefined) return cached as T;
    }
    const resolved = resolveModuleReference(reference);
    const value = this.#modules.get(moduleReferenceKey(resolved));
    if (value === undefined) {
      throw new Error(
        `Module ${resolved.url}#${resolved.exportName} was not loaded: call executor.load() before run()`,
      );
    }
    if (typeof reference === 'object') this.#byReference.set(reference, value);
    return value as T;
  }

  run<Payload>(work: Work<Payload>): Promise<void> {
    const input = work.input;
    if (typeof work.handler !== 'function' || !(input === undefined || input instanceof Uint8Array)) {
      const started = this.#runLater(work);
      // The file is released once the handler is done with it, whatever happened.
      return isInputFile(input) ? released(started, input) : started;
    }
    return this.#start(work, work.handler, input ?? empty);
  }

  /** The slow path: a handler to import, or an input to read from a file or to buffer first. */
  async #runLater<Payload>(work: Work<Payload>): Promise<void> {
    let handler = work.handler;
    if (typeof handler !== 'function') {
      await this.load([handler]);
      handler = this.loaded<WorkHandler<Payload>>(handler);
    }
    const input = work.input;
    if (input === undefined || input instanceof Uint8Array) return this.#start(work, handler, input ?? empty);
    if (isInputFile(input)) return this.#start(work, handler, new InputFileReader(input.fd, input.length));
    const spooled = await spoolInput(input, this.#spool);
    if (spooled instanceof Uint8Array) return this.#start(work, handler, spooled);
    return released(this.#start(work, handler, new InputFileReader(spooled.fd, spooled.length)), spooled);
  }

  #start<Payload>(
    work: Work<Payload>,
    handler: WorkHandler<Payload>,
    input: Uint8Array | InputFileReader,
  ): Promise<void> {
    const port = new InlinePort(this, work, input);
    let result: void | Promise<void>;
    try {
      result = handler(work.payload, port);
    } catch (error) {
      return Promise.reject(error);
    }
    // A handler that finished synchronously cannot time out: no timer for it.
    if (result === undefined) return finished;
    const done = Promise.resolve(result);
    return work.timeoutMs === undefined ? done : withTimeout(done, port, work.timeoutMs);
  }

  /** Nothing to release: work runs on the caller's thread (and a stuck synchronous handler cannot be ended). */
  async close(): Promise<void> {}
}

class InlinePort implements WorkPort {
  #offset = 0;
  timedOut = false;

  constructor(
    readonly executor: InlineExecutor,
    readonly work: Pick<Work<unknown>, 'onMessage' | 'signal'>,
    readonly input: Uint8Array | InputFileReader,
  ) {}

  get cancelled(): boolean {
    return this.timedOut || this.work.signal?.aborted === true;
  }

  /** Hands the message to `onMessage` and returns what it returned: the handler awaits it (backpressure). */
  send(message: unknown): void | Promise<void> {
    if (this.cancelled) throw new WorkCancelledError();
    return this.work.onMessage(message);
  }

  read(maxBytes: number): Uint8Array | null {
    if (this.cancelled) throw new WorkCancelledError();
    const input = this.input;
    if (!(input instanceof Uint8Array)) return input.read(maxBytes);
    if (this.#offset >= input.length) return null;
    const start = this.#offset;
    this.#offset = Math.min(input.length, start + Math.max(0, maxBytes));
    return input.subarray(start, this.#offset);
  }

  loaded<T>(reference: ModuleReference): T {
    return this.executor.loaded<T>(reference);
  }
}

/** Releases `file` once `run` settles: on the event loop nothing reads it after that. */
function released(run: Promise<void>, file: InputFile): Promise<void> {
  return run.finally(() => file.release());
}

/** Rejects after `timeoutMs`; the handler, suspended in an `await`, sees its next `send()`/`read()` throw. */
function withTimeout(done: Promise<void>, port: InlinePort, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      port.timedOut = true;
      const error = new WorkTimeoutError(timeoutMs);
      // No thread to end here: the handler stops at its next send() or read().
      error.message = `The work ran longer than ${timeoutMs} ms; it was cancelled`;
      reject(error);
    }, timeoutMs);
    done.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

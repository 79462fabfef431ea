/**
 * `InlineExecutor`: runs each unit of work on the event-loop thread, as Tornado's default `dummy_executor` runs
 * a WSGI application. A synchronous application blocks the loop while it runs, so two requests never overlap
 * (`wsgi.multithread` is false); between the chunks it sends, the handler awaits `send()`, which is where a slow
 * client holds it back.
 */

import { WorkCancelledError, WorkTimeoutError } from './errors.js';
import type { Executor, ModuleReference, Work, WorkHandler, WorkPort } from './executor.js';
import { importModuleExport, moduleReferenceKey, resolveModuleReference } from './module-reference.js';

const empty = new Uint8Array(0);
/** What a handler that finished synchronously resolves to: shared, so such a run allocates no promise. */
const finished: Promise<void> = Promise.resolve();

/** Runs work on the event-loop thread. `load()` imports module references once; `port.loaded()` returns them. */
export class InlineExecutor implements Executor {
  readonly kind = 'inline' as const;
  readonly multithread = false;
  /** Loaded exports by resolved URL and name. */
  readonly #modules = new Map<string, unknown>();
  /** The same, by reference object: a container passes the same object for every request. */
  readonly #byReference = new WeakMap<object, unknown>();

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
    if (
      typeof work.handler !== 'function' ||
      (work.input !== undefined && !(work.input instanceof Uint8Array))
    ) {
      return this.#runLater(work);
    }
    return this.#start(work, work.handler, work.input ?? empty);
  }

  /** The slow path: a handler to import, or an input to buffer first. */
  async #runLater<Payload>(work: Work<Payload>): Promise<void> {
    let handler = work.handler;
    if (typeof handler !== 'function') {
      await this.load([handler]);
      handler = this.loaded<WorkHandler<Payload>>(handler);
    }
    const input =
      work.input instanceof Uint8Array || work.input === undefined ? work.input : await collect(work.input);
    return this.#start(work, handler, input ?? empty);
  }

  #start<Payload>(work: Work<Payload>, handler: WorkHandler<Payload>, input: Uint8Array): Promise<void> {
    const port = new InlinePort(this, work, input);
    let result: void | Promise<void>;
    try {
      result = handler(work.payload, port);
    } catch (error) {
      return Promise.reject(error);
    }
    const done = result === undefined ? finished : Promise.resolve(result);
    return work.timeoutMs === undefined ? done : withTimeout(done, port, work.timeoutMs);
  }

  /** Nothing to release: work runs on the caller's thread. */
  async close(): Promise<void> {}
}

class InlinePort implements WorkPort {
  #offset = 0;
  timedOut = false;

  constructor(
    readonly executor: InlineExecutor,
    readonly work: Pick<Work<unknown>, 'onMessage' | 'signal'>,
    readonly input: Uint8Array,
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
    if (this.#offset >= this.input.length) return null;
    const start = this.#offset;
    this.#offset = Math.min(this.input.length, start + Math.max(0, maxBytes));
    return this.input.subarray(start, this.#offset);
  }

  loaded<T>(reference: ModuleReference): T {
    return this.executor.loaded<T>(reference);
  }
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for await (const part of source) {
    parts.push(part);
    length += part.length;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, length);
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

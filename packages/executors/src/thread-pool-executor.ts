/**
 * `ThreadPoolExecutor`: runs units of work on a pool of `node:worker_threads`, each unit from start to end on one
 * worker, streaming both ways (a credit window for the response, a SharedArrayBuffer channel for the request).
 *
 * Lifecycle semantics follow piscina's (a dead worker fails only its own work and is replaced; a worker that
 * dies while starting is not respawned in a loop; a full queue refuses at once), built directly on
 * `node:worker_threads` because piscina has one result per task, no backpressure, and aborts by terminating.
 */
import { availableParallelism } from 'node:os';
import type { ResourceLimits, SHARE_ENV } from 'node:worker_threads';
import { AbortWatch } from './abort-watch.js';
import { acknowledge } from './credit-window.js';
import { type Deferred, deferred } from './deferred.js';
import {
  ExecutorClosedError,
  QueueFullError,
  WorkCancelledError,
  WorkerCrashedError,
  WorkTimeoutError,
} from './errors.js';
import type { Executor, ExecutorCloseOptions, ModuleReference, Work } from './executor.js';
import { InputFeeder } from './input-channel.js';
import { moduleReferenceKey, type ResolvedModuleReference } from './module-reference.js';
import { PoolWork, type PoolWorkOwner } from './pool-work.js';
import { PoolWorker, type PoolWorkerEvents } from './pool-worker.js';
import { ReferenceCache } from './reference-cache.js';
import { SharedInput } from './shared-input.js';
import { isInputFile } from './spooled-input.js';
import {
  deserializeError,
  type SerializedError,
  ToMain,
  ToWorker,
  type WorkInput,
  WorkState,
} from './thread-protocol.js';
import { WorkQueue } from './work-queue.js';

/** Options for `new ThreadPoolExecutor()`. */
export interface ThreadPoolExecutorOptions {
  /** The most worker threads at once. Default: `os.availableParallelism()`. */
  readonly maxWorkers?: number;
  /** Idle workers are reaped down to this many. Default: 1. */
  readonly minWorkers?: number;
  /**
   * Units of work that may wait for a thread (in the pool's queue, or held by a busy worker); past that `run()`
   * rejects with `QueueFullError`. Default: `maxWorkers * 64`.
   */
  readonly maxQueue?: number;
  /** A worker above `minWorkers` that stayed idle this long exits. Default: 30 000 ms (`Infinity` keeps them). */
  readonly idleTimeoutMs?: number;
  /** A unit of work running longer terminates its worker and rejects with `WorkTimeoutError`. Default: none. */
  readonly timeoutMs?: number;
  /**
   * A worker is replaced after about this many units (gunicorn's `max_requests`, against slow leaks in handler
   * code): it takes no more work, its successor starts at once, and it exits once its units finished. No unit
   * fails. Default: 0 (never).
   */
  readonly maxUnitsPerWorker?: number;
  /** Adds up to this many units to each worker's `maxUnitsPerWorker`, so workers are not all replaced at once. */
  readonly maxUnitsPerWorkerJitter?: number;
  /**
   * Heap and stack limits per worker (`new Worker()`'s `resourceLimits`); a worker that exceeds them fails its
   * unit with `WorkerCrashedError` and is replaced. Default: `{ maxOldGenerationSizeMb: 512 }`
   * (`defaultWorkerHeapLimitMb`); `maxOldGenerationSizeMb: 0` leaves Node's own limit (about 2–4 GiB).
   */
  readonly resourceLimits?: ResourceLimits;
  /** Node options for each worker (`new Worker()`'s `execArgv`). Default: the main thread's. */
  readonly execArgv?: readonly string[];
  /** The workers' `process.env` (`new Worker()`'s `env`, `SHARE_ENV` to share). Default: a copy of the main thread's. */
  readonly env?: Record<string, string | undefined> | typeof SHARE_ENV;
  /**
   * How far a worker may run ahead of the caller's `onMessage`: messages, and bytes of Uint8Array chunks, sent
   * but not yet delivered. Past either, the worker's `send()` blocks. Default: 16 messages, 1 MiB.
   */
  readonly creditWindow?: { readonly messages?: number; readonly bytes?: number };
  /**
   * A worker whose unit has waited on its caller for over half a second (a client that does not read its
   * response, or, with streamed input, does not send its body) is stalled: while work waits for a thread, the pool
   * starts up to this many workers beyond `maxWorkers` to run it, and ends them when the stall is over.
   * Default: half of `maxWorkers`, rounded up (each extra thread costs about 15 MiB while it lasts: its isolate
   * and the response it holds); `0` turns it off.
   */
  readonly maxExtraWorkers?: number;
  /**
   * Added to each worker thread's nice value (Linux gives every thread its own), so that the event loop — which
   * parses, writes and answers every request, and is the pool's bottleneck — keeps its core when it hands a worker
   * work, and a native route stays responsive while every worker computes. Default: 0, the process's priority.
   * Linux only (elsewhere a nice value is the whole process's); where the system refuses, workers run at the
   * process's priority.
   */
  readonly workerNice?: number;
  /**
   * Bytes of shared memory the pool copies `Uint8Array` inputs into, in slots of 64 KiB (`sharedInputSlotBytes`:
   * what the container buffers by default), so that a body reaches its worker without being cloned twice and
   * allocated again there. A larger input, or one that finds every slot taken, is cloned. Default: 4 MiB
   * (`defaultSharedInputBytes`, 64 bodies at once); `0` clones every input.
   */
  readonly sharedInputBytes?: number;
  /**
   * Bytes of shared memory each worker writes its units' messages and ends into (rounded up to a power of two, at
   * least 4 KiB), which the main thread takes in batches — one wake-up per batch, not one `postMessage` per
   * message. A message with 16 KiB of chunks or more, one larger than half the ring, or one that is not plain data
   * (see the README) is posted as before. Default: 512 KiB (`defaultAnswerRingBytes`); `0` posts every message.
   */
  readonly answerRingBytes?: number;
}

/** The pool's shared memory for request bodies, by default: 64 slots. */
export const defaultSharedInputBytes = 4 * 1024 * 1024;
/**
 * Each worker's answer ring, by default: a default credit window's worth of the largest messages the ring carries
 * (16 messages of just under 16 KiB), twice over, so a worker inside its window seldom waits for the main thread
 * to drain.
 */
export const defaultAnswerRingBytes = 512 * 1024;
/** The largest input a slot of shared memory holds: the container's default `bodyBufferSize`. */
export const sharedInputSlotBytes = 64 * 1024;

/**
 * A worker at the pool's size limit may hold this many units: the one it runs and others it starts as soon as it
 * is done, without waiting for the main thread (a round trip per unit halves throughput). A unit waiting on a
 * busy worker moves to any worker that falls idle first.
 */
const unitsPerWorker = 8;

/**
 * Each worker's old-generation heap, by default: ten times what a typical request handler's heap holds, yet
 * small enough that a runaway request on each of a few workers cannot take a 2–4 GiB machine down with it
 * (Node's own limit is about 4 GiB per worker on a 64-bit machine, so a pool of two could reach 8 GiB).
 */
export const defaultWorkerHeapLimitMb = 512;

/**
 * Each worker's nice value above the process's, by default: none. A quiet run on 2 cores measured both ways
 * (`pnpm bench --before`): at 10, the pool's `hello` rose 5 % and a native route's p99 beside busy workers fell
 * from 5.2 to 3.9 ms, but Flask on Python workers lost 16 % of its throughput and its p99 quadrupled (wrk and
 * the event loop took the core from the interpreters), and on a loaded host the workers starve. A server whose
 * event loop must stay ahead of CPU-bound workers opts in (10 is a good value).
 */
export const defaultWorkerNice = 0;

/**
 * How long a unit must wait on its caller, at a stretch, for its worker to count as stalled: far longer than a
 * socket that merely filled up takes to drain, short enough that work waiting behind it starts within a second.
 */
const stallGraceMs = 500;

/**
 * Runs units of work on worker threads. Handlers are named by module reference, imported once per worker by
 * `load()`; one unit runs from start to end on one worker, its messages stream back in order under a credit
 * window, and its input streams in on demand.
 *
 * @example
 * ```ts
 * const pool = new ThreadPoolExecutor({ maxWorkers: 4 });
 * await pool.load(['./dist/render.js#render']);
 * await pool.run({ handler: './dist/render.js#render', payload: { page: 1 }, onMessage: (m) => void out.push(m) });
 * await pool.close();
 * ```
 */
export class ThreadPoolExecutor implements Executor {
  readonly kind = 'thread' as const;
  readonly multithread = true;
  readonly maxWorkers: number;
  readonly minWorkers: number;
  readonly maxQueue: number;
  readonly idleTimeoutMs: number;
  readonly timeoutMs: number | undefined;
  readonly maxExtraWorkers: number;
  readonly workerNice: number;

  private readonly workers: PoolWorker[] = [];
  private readonly queue = new WorkQueue<PoolWork<PoolWorker>>();
  private readonly modules: ResolvedModuleReference[] = [];
  private readonly references = new ReferenceCache();
  private readonly windowMessages: number;
  private readonly windowBytes: number;
  /** Why the last worker died while starting; no worker is spawned again until the next `load()`. */
  private startupFailure: Error | undefined;
  /** Units whose `run()` has not settled yet. */
  private readonly active = new Set<PoolWork<PoolWorker>>();
  private flushScheduled = false;
  private drained: Deferred<void> | undefined;
  private closing: Promise<void> | undefined;
  private closeDeadline: NodeJS.Timeout | undefined;
  /** Armed while work waits for a thread: looks for stalled workers to run it beside. */
  private stallCheck: NodeJS.Timeout | undefined;
  private readonly resourceLimits: ResourceLimits;
  private readonly sharedInput: SharedInput | undefined;
  private readonly answerRingBytes: number;
  private readonly abortWatch = new AbortWatch<PoolWork<PoolWorker>>((unit) => this.cancel(unit));
  private readonly unitOwner: PoolWorkOwner = {
    cancel: (unit) => this.cancel(unit as PoolWork<PoolWorker>),
    settled: (unit) => {
      const signal = unit.work.signal;
      if (signal) this.abortWatch.delete(signal, unit as PoolWork<PoolWorker>);
      this.active.delete(unit as PoolWork<PoolWorker>);
      if (this.active.size === 0) {
        clearTimeout(this.closeDeadline);
        this.drained?.resolve();
      }
    },
  };

  constructor(private readonly options: ThreadPoolExecutorOptions = {}) {
    this.maxWorkers = Math.max(1, Math.floor(options.maxWorkers ?? availableParallelism()));
    this.minWorkers = Math.min(this.maxWorkers, Math.max(0, Math.floor(options.minWorkers ?? 1)));
    this.maxQueue = Math.max(0, options.maxQueue ?? this.maxWorkers * 64);
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.timeoutMs = options.timeoutMs;
    this.maxExtraWorkers = Math.max(0, Math.floor(options.maxExtraWorkers ?? Math.ceil(this.maxWorkers / 2)));
    this.workerNice = Math.min(39, Math.max(0, Math.floor(options.workerNice ?? defaultWorkerNice)));
    this.windowMessages = Math.max(1, Math.floor(options.creditWindow?.messages ?? 16));
    this.windowBytes = Math.max(1, Math.floor(options.creditWindow?.bytes ?? 1024 * 1024));
    const { maxOldGenerationSizeMb = defaultWorkerHeapLimitMb, ...limits } = options.resourceLimits ?? {};
    this.resourceLimits = maxOldGenerationSizeMb > 0 ? { ...limits, maxOldGenerationSizeMb } : limits;
    const sharedInputBytes = Math.max(0, Math.floor(options.sharedInputBytes ?? defaultSharedInputBytes));
    const slotBytes = Math.min(sharedInputSlotBytes, sharedInputBytes);
    this.sharedInput =
      slotBytes > 0 ? new SharedInput(Math.floor(sharedInputBytes / slotBytes), slotBytes) : undefined;
    this.answerRingBytes = Math.max(0, Math.floor(options.answerRingBytes ?? defaultAnswerRingBytes));
  }

  /** Worker threads alive or starting (for tests and metrics). */
  get threadCount(): number {
    return this.workers.length;
  }

  /** Slots of shared input memory holding a body some thread may still read (for tests and metrics). */
  get sharedInputInUse(): number {
    return this.sharedInput?.inUse ?? 0;
  }

  /** Units of work waiting for a thread: in the pool's queue, or held by a busy worker. */
  get queueSize(): number {
    return this.waitingUnits();
  }

  private waitingUnits(): number {
    let waiting = this.queue.size;
    for (const worker of this.workers) if (worker.units.size > 1) waiting += worker.units.size - 1;
    return waiting;
  }

  async load(modules: readonly ModuleReference[]): Promise<void> {
    if (this.closing) throw new ExecutorClosedError();
    const fresh: ResolvedModuleReference[] = [];
    for (const reference of modules) {
      const resolved = this.references.resolve(reference);
      const key = moduleReferenceKey(resolved);
      if (!this.modules.some((known) => moduleReferenceKey(known) === key)) fresh.push(resolved);
    }
    this.startupFailure = undefined;
    const loading: Promise<void>[] = [];
    // Workers already running (or starting with the previous list) import the new modules too.
    for (const worker of this.workers) {
      if (worker.retiring) continue;
      loading.push(worker.started.promise.then(() => (fresh.length ? worker.load(fresh) : undefined)));
    }
    this.modules.push(...fresh);
    while (this.workers.length < this.maxWorkers) loading.push(this.spawn().started.promise);
    try {
      await Promise.all(loading);
    } catch (error) {
      for (const reference of fresh) {
        const index = this.modules.indexOf(reference);
        if (index >= 0) this.modules.splice(index, 1);
      }
      throw error;
    }
  }

  run<Payload>(work: Work<Payload>): Promise<void> {
    if (this.closing) return refuse(work, new ExecutorClosedError());
    if (typeof work.handler === 'function') {
      return refuse(
        work,
        new TypeError(
          `ThreadPoolExecutor needs the handler as a module reference ("./dist/handler.js#name" or ` +
            `{ module, export }), not a function (${work.handler.name || 'anonymous'}): a function cannot cross ` +
            'into a worker thread. Export it from a module and pass load() and run() that reference.',
        ),
      );
    }
    let reference: ResolvedModuleReference;
    try {
      reference = this.references.resolve(work.handler);
    } catch (error) {
      return refuse(work, error);
    }
    if (work.signal?.aborted) return refuse(work, new WorkCancelledError());
    if (this.startupFailure && this.workers.length === 0) return refuse(work, this.startupFailure);
    const worker = this.pickWorker();
    if (worker?.units.size !== 0 && this.waitingUnits() >= this.maxQueue) {
      return refuse(work, new QueueFullError(this.maxQueue));
    }
    return new Promise<void>((resolve, reject) => {
      const unit = new PoolWork<PoolWorker>(
        work as Work<unknown>,
        reference,
        work.timeoutMs ?? this.timeoutMs,
        resolve,
        reject,
        this.unitOwner,
      );
      this.active.add(unit);
      if (work.signal) this.abortWatch.add(work.signal, unit);
      if (worker) this.start(unit, worker);
      else {
        this.queue.push(unit);
        this.addWorkers();
      }
      if (worker === undefined || worker.units.size > 1) this.scheduleStallCheck();
    });
  }

  /**
   * Refuses new work, waits for queued and running work to finish, then ends every worker thread. With
   * `timeoutMs`, work not finished by then fails with `ExecutorClosedError` and the threads running it are
   * terminated: a stuck handler cannot hold a shutdown forever. A later call may set a deadline too.
   */
  close(options: ExecutorCloseOptions = {}): Promise<void> {
    this.closing ??= (async () => {
      if (this.active.size > 0) {
        this.drained = deferred();
        await this.drained.promise;
      }
      await Promise.all(this.workers.map((worker) => this.retire(worker)));
    })();
    const { timeoutMs } = options;
    if (timeoutMs !== undefined && this.active.size > 0 && this.closeDeadline === undefined) {
      this.closeDeadline = setTimeout(() => this.abandonWork(timeoutMs), Math.max(0, timeoutMs));
    }
    return this.closing;
  }

  /** The close deadline passed: fail every unit not finished yet, terminating the threads that run them. */
  private abandonWork(timeoutMs: number): void {
    const message = `The executor closed before this work finished (its close deadline of ${timeoutMs} ms passed)`;
    this.queue.takeAll();
    for (const unit of [...this.active]) {
      const worker = unit.worker;
      // Started on its thread and not finished: the thread is ended (the unit's file is released on its exit).
      if (worker !== undefined && !unit.finishedOnWorker && !this.revoke(unit) && !worker.failure) {
        worker.fail(new ExecutorClosedError(message));
      }
      unit.dropping = true;
      unit.settle(new ExecutorClosedError(message));
    }
  }

  /** Cancels a unit: takes it back if it has not started, else makes its next send/read throw. */
  private cancel(unit: PoolWork<PoolWorker>): void {
    if (unit.settled) return;
    const worker = unit.worker;
    if (!worker) {
      this.queue.remove(unit);
      unit.settle(new WorkCancelledError());
      return;
    }
    unit.dropping = true;
    if (unit.finishedOnWorker) {
      // The handler is done; only delivery was left, which no one wants now.
      const end = unit.queue.find((delivery) => delivery.end);
      if (end?.end) unit.settle(end.error);
      return;
    }
    if (this.revoke(unit)) {
      unit.settle(new WorkCancelledError());
      this.workerMayBeIdle(worker);
      return;
    }
    worker.cancelRunning(unit);
  }

  private spawn(): PoolWorker {
    const worker = new PoolWorker(
      {
        modules: this.modules,
        windowMessages: this.windowMessages,
        windowBytes: this.windowBytes,
        resourceLimits: this.resourceLimits,
        execArgv: this.options.execArgv,
        env: this.options.env,
        unitBudget: this.unitBudget(),
        nice: this.workerNice,
        sharedInput: this.sharedInput?.buffer,
        answerRingBytes: this.answerRingBytes,
      },
      this.workerEvents,
    );
    this.workers.push(worker);
    return worker;
  }

  private readonly workerEvents: PoolWorkerEvents = {
    message: (worker, message) => this.handleMessage(worker, message),
    unitMessage: (worker, unitId, message, bytes) => this.receive(worker, unitId, message, bytes),
    unitDone: (worker, unitId) => this.unitEnded(worker, unitId, undefined),
    exit: (worker, code) => this.onExit(worker, code),
    idle: (worker) => {
      if (worker.units.size === 0 && this.workers.length > this.minWorkers) void worker.retire();
    },
  };

  private unitBudget(): number {
    const max = Math.floor(this.options.maxUnitsPerWorker ?? 0);
    if (max <= 0) return -1;
    return max + Math.floor(Math.random() * (Math.floor(this.options.maxUnitsPerWorkerJitter ?? 0) + 1));
  }

  /** The worker spent its unit budget: a successor starts now; it exits once its units are done. */
  private recycle(worker: PoolWorker): void {
    worker.retiring = true;
    if (!this.closing) this.spawn();
    if (worker.units.size === 0) void this.retire(worker);
  }

  private handleMessage(worker: PoolWorker, message: unknown[]): void {
    switch (message[0]) {
      case ToMain.message:
        this.receive(worker, message[1] as number, message[2], message[3] as number);
        return;
      case ToMain.done:
        // The unit's last message may come with its end (`send(…, last)`): `[done, id, message, bytes]`.
        if (message.length > 2) this.receive(worker, message[1] as number, message[2], message[3] as number);
        this.unitEnded(worker, message[1] as number, undefined);
        return;
      case ToMain.failed:
        this.unitEnded(worker, message[1] as number, deserializeError(message[2] as SerializedError));
        return;
      case ToMain.unsent:
        return; // only filled its place in the answer ring
      case ToMain.read: {
        const unit = worker.units.get(message[1] as number);
        if (unit?.feeder === undefined) return;
        unit.inputWaitSince = performance.now();
        void unit.feeder.answer(worker.control, worker.input, unit.id, message[2] as number).finally(() => {
          unit.inputWaitSince = -1;
        });
        return;
      }
      case ToMain.output:
        (message[1] === 1 ? process.stdout : process.stderr).write(message[2] as string | Uint8Array);
        return;
      case ToMain.ready:
        if (message[1]) {
          worker.failure = deserializeError(message[1] as SerializedError);
          void worker.thread.terminate();
          return;
        }
        worker.ready = true;
        worker.started.resolve();
        this.dispatch();
        this.workerMayBeIdle(worker);
        return;
      case ToMain.loaded:
        worker.loaded(message[1] as SerializedError | undefined, this.idleTimeoutMs);
        return;
    }
  }

  /** A unit's message: delivered, or (its unit gone) acknowledged at once. */
  private receive(worker: PoolWorker, unitId: number, message: unknown, bytes: number): void {
    const unit = worker.units.get(unitId);
    if (!unit) {
      acknowledge(worker.control, bytes);
      return;
    }
    unit.unackedMessages++;
    unit.unackedBytes += bytes;
    unit.enqueue({ message, bytes });
  }

  /** The worker finished a unit's handler (`error`: it threw). */
  private unitEnded(worker: PoolWorker, unitId: number, error: Error | undefined): void {
    const unit = worker.units.get(unitId);
    if (!unit) return;
    worker.units.delete(unit.id);
    unit.finishOnWorker();
    unit.enqueue({ end: true, error });
    this.workerMayBeIdle(worker);
  }

  /** An idle worker, or (once the pool cannot grow) the least busy one with room for a unit in waiting. */
  private pickWorker(): PoolWorker | undefined {
    let best: PoolWorker | undefined;
    let now = -1;
    for (const worker of this.workers) {
      if (!worker.ready || worker.retiring) continue;
      if (worker.units.size === 0) return worker;
      if (best && worker.units.size >= best.units.size) continue;
      // Work never waits behind a worker stalled on its client: the pool's queue is better.
      if (now < 0) now = performance.now();
      if (!this.isStalled(worker, now)) best = worker;
    }
    const canGrow = this.workers.length < this.maxWorkers && !this.startupFailure;
    return best && !canGrow && best.units.size < unitsPerWorker ? best : undefined;
  }

  private dispatch(): void {
    while (this.queue.size > 0) {
      const worker = this.pickWorker();
      if (!worker) break;
      this.start(this.queue.shift()!, worker);
    }
    this.addWorkers();
  }

  /** Starts workers for work that waits, up to `maxWorkers`, unless workers die while starting. */
  private addWorkers(): void {
    if (this.startupFailure) {
      if (this.workers.length === 0) {
        for (const unit of this.queue.takeAll()) unit.settle(this.startupFailure);
      }
      return;
    }
    let starting = 0;
    for (const worker of this.workers) if (!worker.ready) starting++;
    while (starting < this.queue.size && this.workers.length < this.maxWorkers) {
      this.spawn();
      starting++;
    }
    while (this.workers.length < this.minWorkers && !this.closing) this.spawn();
  }

  private start(unit: PoolWork<PoolWorker>, worker: PoolWorker): void {
    worker.assign(unit);
    const { input } = unit.work;
    let inputMessage: WorkInput = false;
    if (input instanceof Uint8Array) {
      // Kept when the unit moves to another worker: every worker sees the same shared memory.
      unit.inputRegion ??= this.sharedInput?.store(input);
      const region = unit.inputRegion;
      if (region !== undefined) inputMessage = { offset: region.offset, length: region.length };
      // A view of a larger buffer would be cloned whole.
      else if (input.byteOffset === 0 && input.byteLength === input.buffer.byteLength) inputMessage = input;
      else inputMessage = input.slice();
    } else if (isInputFile(input)) {
      inputMessage = { fd: input.fd, length: input.length };
    } else if (input) {
      unit.feeder = new InputFeeder(input);
      inputMessage = true;
    }
    worker.outbox.push([ToWorker.work, unit.id, unit.reference, unit.work.payload, inputMessage]);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
    if (unit.timeoutMs !== undefined && unit.timer === undefined) this.armTimeout(unit, unit.timeoutMs);
    this.updateReference(worker);
    if (--worker.unitsLeft === 0) this.recycle(worker);
  }

  /**
   * Posts the work dispatched during this turn of the event loop, one message per worker: waking a sleeping
   * thread costs the main thread far more than cloning the work, so requests parsed together travel together.
   */
  private readonly flush = (): void => {
    this.flushScheduled = false;
    for (const worker of this.workers) {
      if (worker.outbox.length === 0) continue;
      const messages = worker.outbox.splice(0);
      try {
        worker.port.postMessage(messages.length === 1 ? messages[0] : [ToWorker.batch, messages]);
      } catch {
        // Some payload cannot be cloned: post one by one, and fail only the units that cannot travel.
        for (const message of messages) {
          try {
            worker.port.postMessage(message);
          } catch (error) {
            const unit = worker.units.get(message[1] as number);
            if (unit) {
              worker.units.delete(unit.id);
              unit.worker = undefined; // it never reached the thread
              unit.settle(error);
            }
          }
        }
        this.workerMayBeIdle(worker);
      }
    }
  };

  private armTimeout(unit: PoolWork<PoolWorker>, timeoutMs: number, delay = timeoutMs): void {
    unit.timer = setTimeout(() => {
      const worker = unit.worker;
      if (unit.settled || unit.finishedOnWorker) return;
      // Still waiting (in the queue, or behind another unit on its worker): its time starts when it does.
      if (!worker || worker.stateOf(unit) === WorkState.dispatched) return this.armTimeout(unit, timeoutMs);
      // It is its worker's running unit, so the worker's start time is its own.
      const ranFor = worker.runningFor();
      if (ranFor < timeoutMs) return this.armTimeout(unit, timeoutMs, timeoutMs - ranFor);
      worker.units.delete(unit.id);
      unit.dropping = true;
      unit.settle(new WorkTimeoutError(timeoutMs));
      worker.fail(new WorkTimeoutError(timeoutMs));
      void worker.exited.promise.then(() => unit.releaseInput());
    }, delay);
  }
  /** Takes back a unit its worker has not started. */
  private revoke(unit: PoolWork<PoolWorker>): boolean {
    return unit.worker!.revoke(unit);
  }

  private workerMayBeIdle(worker: PoolWorker): void {
    if (worker.units.size === 0 && worker.unitsLeft === 0 && worker.retiring) void this.retire(worker);
    if (worker.units.size === 0 && worker.ready && !worker.retiring) {
      this.dispatch();
      if (worker.units.size === 0) this.steal(worker);
      // An extra worker, or one whose stall is over, beyond what the stalls still call for: it goes.
      if (
        worker.units.size === 0 &&
        this.workers.length > this.maxWorkers &&
        this.staying() > this.maxWorkers + this.stalledWorkers()
      ) {
        void this.retire(worker);
        return;
      }
    }
    this.updateReference(worker);
  }

  /** Workers alive or starting that are not on their way out. */
  private staying(): number {
    let staying = 0;
    for (const worker of this.workers) if (!worker.retiring) staying++;
    return staying;
  }

  private isStalled(worker: PoolWorker, now: number): boolean {
    return worker.isStalled(stallGraceMs, now);
  }

  /** Workers stalled on their callers, up to `maxExtraWorkers`: how far beyond `maxWorkers` the pool may be. */
  private stalledWorkers(): number {
    if (this.maxExtraWorkers === 0) return 0;
    const now = performance.now();
    let stalled = 0;
    for (const worker of this.workers) if (worker.ready && this.isStalled(worker, now)) stalled++;
    return Math.min(stalled, this.maxExtraWorkers);
  }

  private scheduleStallCheck(): void {
    if (this.stallCheck !== undefined || this.maxExtraWorkers === 0) return;
    this.stallCheck = setTimeout(this.checkStalls, stallGraceMs);
    this.stallCheck.unref();
  }

  /** Work waits for a thread: start a worker for it beside each stalled one (up to `maxExtraWorkers`). */
  private readonly checkStalls = (): void => {
    this.stallCheck = undefined;
    const waiting = this.waitingUnits();
    if (waiting === 0 || this.closing || this.startupFailure) return;
    let starting = 0;
    for (const worker of this.workers) if (!worker.ready) starting++;
    const room = this.maxWorkers + this.stalledWorkers() - this.staying();
    for (let spawned = 0; spawned < Math.min(room, waiting - starting); spawned++) this.spawn();
    this.scheduleStallCheck();
  };

  /** Gives an idle worker a unit that waits behind another one on a busy worker. */
  private steal(idle: PoolWorker): void {
    for (const worker of this.workers) {
      if (worker === idle || worker.units.size < 2) continue;
      for (const unit of worker.units.values()) {
        if (this.revoke(unit)) {
          this.start(unit, idle);
          return;
        }
      }
    }
  }
  /** Keeps the process alive while a worker has work, and lets idle workers above the minimum go. */
  private updateReference(worker: PoolWorker): void {
    worker.updateReference(this.idleTimeoutMs);
  }

  private retire(worker: PoolWorker): Promise<void> {
    return worker.retire();
  }

  private onExit(worker: PoolWorker, code: number): void {
    const wasReady = worker.ready;
    worker.ready = false; // takes no more work while what it left is handled
    // What the thread posted before it died (its last output, a result) is still in the port: take it first.
    worker.takeLast();
    this.workers.splice(this.workers.indexOf(worker), 1);
    const failure = worker.failure ?? new Error(`The worker thread exited with code ${code}`);
    worker.closeAfterExit(failure);
    if (!wasReady) {
      if (!worker.retiring) this.startupFailure = failure;
      worker.started.reject(failure);
    }
    const waiting: PoolWork<PoolWorker>[] = [];
    for (const unit of worker.units.values()) {
      if (worker.stateOf(unit) === WorkState.dispatched) {
        unit.worker = undefined;
        unit.feeder = undefined;
        waiting.push(unit);
      } else {
        unit.dropping = true;
        unit.enqueue({ end: true, error: crashError(failure, code) });
        unit.releaseInput();
      }
    }
    worker.units.clear();
    this.queue.returnToFront(waiting);
    // A crashed worker is replaced (the idle timeout trims the pool later); one that failed to start is not, nor
    // an extra one.
    if (wasReady && !worker.retiring && !this.closing && this.staying() < this.maxWorkers) this.spawn();
    this.dispatch();
  }
}

/** Rejects work refused at once; its input's file is released, as nothing will read it. */
function refuse(work: Pick<Work<unknown>, 'input'>, error: unknown): Promise<never> {
  if (isInputFile(work.input)) work.input.release();
  return Promise.reject(error);
}

function crashError(failure: Error, code: number): Error {
  if (failure instanceof WorkTimeoutError || failure instanceof ExecutorClosedError) return failure;
  const reason =
    (failure as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY'
      ? 'ran out of memory (its heap limit, resourceLimits.maxOldGenerationSizeMb); the thread was replaced'
      : failure.message.startsWith('The worker thread exited')
        ? `exited with code ${code} (process.exit() or an uncaught error)`
        : `crashed: ${failure.message}`;
  return new WorkerCrashedError(`The worker thread running this work ${reason}`, code, { cause: failure });
}

/**
 * One worker thread of a `ThreadPoolExecutor`, from its start to its exit: the thread, its port and shared
 * control block, the work handed to it, its idle timer and unit budget. The pool decides which work goes where;
 * this class knows how one thread takes, gives back and cancels work.
 */
import {
  MessageChannel,
  type MessagePort,
  type ResourceLimits,
  receiveMessageOnPort,
  type SHARE_ENV,
  Worker,
} from 'node:worker_threads';
import { AnswerReceiver, type AnswerTarget } from './answer-receiver.js';
import { createAnswerRing } from './answer-ring.js';
import { type Deferred, deferred } from './deferred.js';
import { inputCapacity } from './input-channel.js';
import type { ResolvedModuleReference } from './module-reference.js';
import type { PoolWork } from './pool-work.js';
import {
  Control,
  controlLength,
  deserializeError,
  maxWorkId,
  type SerializedError,
  slotCount,
  ToMain,
  ToWorker,
  type WorkerData,
  WorkState,
  workSlot,
  workSlotValue,
} from './thread-protocol.js';

const workerUrl = new URL('./worker.js', import.meta.url);
/** Workers report when a unit started as milliseconds since this (an Int32 lasts 24 days). */
export const clockBase = Date.now();

/** How a pool starts its threads. */
export interface PoolWorkerSettings {
  readonly modules: readonly ResolvedModuleReference[];
  readonly windowMessages: number;
  readonly windowBytes: number;
  readonly resourceLimits: ResourceLimits;
  readonly execArgv: readonly string[] | undefined;
  readonly env: Record<string, string | undefined> | typeof SHARE_ENV | undefined;
  /** Units it may start before it is replaced; negative: no limit. */
  readonly unitBudget: number;
  /** Added to the thread's nice value. */
  readonly nice: number;
  /** The pool's shared input buffer, if it has one. */
  readonly sharedInput: SharedArrayBuffer | undefined;
  /** Bytes of each worker's answer ring; 0: every answer is posted. */
  readonly answerRingBytes: number;
}

/** What a worker tells its pool. */
export interface PoolWorkerEvents {
  /** A port message (a unit's message, end or failure posted like `[ToMain.message, unitId, message, bytes]`). */
  message(worker: PoolWorker, message: unknown[]): void;
  /** A unit's message from the answer ring. */
  unitMessage(worker: PoolWorker, unitId: number, message: unknown, bytes: number): void;
  /** A unit's end from the answer ring. */
  unitDone(worker: PoolWorker, unitId: number): void;
  exit(worker: PoolWorker, code: number): void;
  /** Idle for the pool's idle timeout. */
  idle(worker: PoolWorker): void;
}

export class PoolWorker {
  readonly thread: Worker;
  readonly port: MessagePort;
  readonly control: Int32Array;
  readonly input: Uint8Array;
  readonly started: Deferred<void> = deferred();
  readonly exited: Deferred<void> = deferred();
  /** Units handed to this thread that it has not finished yet, in the order it runs them. */
  readonly units = new Map<number, PoolWork<PoolWorker>>();
  readonly pendingLoads: Deferred<void>[] = [];
  /** Work messages waiting for the pool's next flush. */
  readonly outbox: unknown[][] = [];
  ready = false;
  /** Ended on purpose (idle, close, its unit budget spent): takes no more work, its exit is not a crash. */
  retiring = false;
  /** Units it may still start before it is replaced (`maxUnitsPerWorker`); negative: no limit. */
  unitsLeft: number;
  failure: Error | undefined;
  /** Its answer ring's reader, unless every answer is posted. */
  readonly answers: AnswerReceiver | undefined;
  /** Unit messages taken off the port before the ring's `posted` record that places them. */
  private readonly posted: unknown[][] = [];
  private referenced = true;
  private lastUnitId = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    settings: PoolWorkerSettings,
    private readonly events: PoolWorkerEvents,
  ) {
    const { port1, port2 } = new MessageChannel();
    const control = new SharedArrayBuffer(controlLength * Int32Array.BYTES_PER_ELEMENT);
    const input = new SharedArrayBuffer(inputCapacity);
    const answers = settings.answerRingBytes > 0 ? createAnswerRing(settings.answerRingBytes) : undefined;
    const workerData: WorkerData = {
      answers,
      port: port2,
      control,
      input,
      sharedInput: settings.sharedInput,
      modules: settings.modules.slice(),
      windowMessages: settings.windowMessages,
      windowBytes: settings.windowBytes,
      clockBase,
      nice: settings.nice,
    };
    const { resourceLimits, execArgv, env } = settings;
    this.thread = new Worker(workerUrl, {
      workerData,
      transferList: [port2],
      resourceLimits,
      ...(execArgv && { execArgv: [...execArgv] }),
      ...(env && { env }),
    });
    this.port = port1;
    this.control = new Int32Array(control);
    this.input = new Uint8Array(input);
    this.unitsLeft = settings.unitBudget;
    this.answers = answers && new AnswerReceiver(answers);
    this.started.promise.catch(() => {});
    port1.on('message', (message: unknown[]) => {
      this.portMessage(message);
      // Whatever else the worker posted meanwhile: take it now, without one event per message.
      this.takePosted();
    });
    this.thread.on('error', (error) => {
      this.failure ??= error;
    });
    this.thread.on('exit', (code) => events.exit(this, code));
  }

  /** Hands the pool every message the thread posted and the pool has not seen (also after the thread died). */
  takePosted(): void {
    for (let next = receiveMessageOnPort(this.port); next; next = receiveMessageOnPort(this.port)) {
      this.portMessage(next.message as unknown[]);
    }
  }

  /**
   * The thread exited: everything it published in its ring, and what it posted after its last record. A record
   * half written when it died was never published, so no partial message is taken for a whole one.
   */
  takeLast(): void {
    this.takePosted();
    if (this.answers === undefined) return;
    this.answers.drain(this.answerTarget, false);
    for (const message of this.posted.splice(0)) this.events.message(this, message);
  }

  /** Delivers what the answer ring holds; `settle` as `AnswerReceiver.drain()` has it. */
  drainAnswers(settle: boolean): void {
    this.answers?.drain(this.answerTarget, settle);
  }

  private portMessage(message: unknown[]): void {
    const tag = message[0];
    if (this.answers === undefined) this.events.message(this, message);
    else if (tag === ToMain.drain) this.drainAnswers(true);
    // With a ring, a unit's posted message waits for the record that places it among the others (published
    // before it was posted): a drain now reaches it.
    else if (
      tag === ToMain.message ||
      tag === ToMain.done ||
      tag === ToMain.failed ||
      tag === ToMain.unsent
    ) {
      this.posted.push(message);
      this.drainAnswers(true);
    } else this.events.message(this, message);
  }

  private readonly answerTarget: AnswerTarget = {
    unitMessage: (unitId, message, bytes) => this.events.unitMessage(this, unitId, message, bytes),
    unitDone: (unitId) => this.events.unitDone(this, unitId),
    takePosted: () => {
      // Taken off the port already, or still on it (behind other messages), or not posted yet.
      while (this.posted.length === 0) {
        const next = receiveMessageOnPort(this.port);
        if (next === undefined) return false;
        this.portMessage(next.message as unknown[]);
      }
      this.events.message(this, this.posted.shift()!);
      return true;
    },
  };

  /** The thread exited: what it posted last was taken; releases the port and settles its hand-offs. */
  closeAfterExit(failure: Error): void {
    this.port.close();
    clearTimeout(this.idleTimer);
    this.exited.resolve();
    for (const load of this.pendingLoads.splice(0)) load.reject(failure);
  }

  /** Has it import more modules (on top of those it started with). */
  load(references: ResolvedModuleReference[]): Promise<void> {
    const load = deferred<void>();
    this.pendingLoads.push(load);
    this.updateReference(Infinity);
    this.port.postMessage([ToWorker.load, references]);
    return load.promise;
  }

  /** The thread answered the oldest `load()`. */
  loaded(error: SerializedError | undefined, idleTimeoutMs: number): void {
    const load = this.pendingLoads.shift();
    if (error) load?.reject(deserializeError(error));
    else load?.resolve();
    this.updateReference(idleTimeoutMs);
  }

  /**
   * Assigns a unit to this thread (its id, its slot marked dispatched); the pool then posts it. A revoked unit's
   * slot may be reused: the slot's value names the unit, so the stale one fails its compare-and-swap.
   */
  assign(unit: PoolWork<PoolWorker>): void {
    const id = this.nextUnitId();
    unit.worker = this;
    unit.id = id;
    this.units.set(id, unit);
    Atomics.store(this.control, workSlot(id), workSlotValue(id, WorkState.dispatched));
  }

  private nextUnitId(): number {
    for (;;) {
      this.lastUnitId = (this.lastUnitId % maxWorkId) + 1;
      const id = this.lastUnitId;
      let free = true;
      for (const unit of this.units.values()) {
        if (((unit.id ^ id) & (slotCount - 1)) === 0) free = false;
      }
      if (free) return id;
    }
  }

  /** Where a unit handed to this thread is: one of `WorkState`. */
  stateOf(unit: PoolWork<PoolWorker>): number {
    return Atomics.load(this.control, workSlot(unit.id)) & 3;
  }

  /** Takes back a unit the thread has not started; false when it already started. */
  revoke(unit: PoolWork<PoolWorker>): boolean {
    const dispatched = workSlotValue(unit.id, WorkState.dispatched);
    const revoked = workSlotValue(unit.id, WorkState.revoked);
    if (Atomics.compareExchange(this.control, workSlot(unit.id), dispatched, revoked) !== dispatched) {
      return false;
    }
    this.units.delete(unit.id);
    unit.worker = undefined;
    unit.feeder = undefined;
    return true;
  }

  /** Makes the running unit's next (or current) `send()`/`read()` throw `WorkCancelledError`. */
  cancelRunning(unit: PoolWork<PoolWorker>): void {
    Atomics.compareExchange(
      this.control,
      workSlot(unit.id),
      workSlotValue(unit.id, WorkState.started),
      workSlotValue(unit.id, WorkState.cancelled),
    );
    Atomics.add(this.control, Control.signal, 1);
    Atomics.notify(this.control, Control.signal);
  }

  /** How long the running unit has run: milliseconds since the thread marked its start. */
  runningFor(): number {
    return Date.now() - clockBase - Atomics.load(this.control, Control.startedAt);
  }

  /** Whether the unit it runs has waited on its caller for `graceMs` at a stretch. */
  isStalled(graceMs: number, now: number): boolean {
    // A worker runs its units in order: the first is the one it runs.
    for (const unit of this.units.values()) return unit.stalledFor(graceMs, now);
    return false;
  }

  /** Keeps the process alive while it has work; once idle, `idle` is reported after `idleTimeoutMs`. */
  updateReference(idleTimeoutMs: number): void {
    const busy = !this.ready || this.units.size > 0 || this.pendingLoads.length > 0;
    if (busy !== this.referenced) {
      this.referenced = busy;
      if (busy) this.thread.ref();
      else this.thread.unref();
    }
    if (busy || this.retiring) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    } else if (this.idleTimer === undefined && Number.isFinite(idleTimeoutMs)) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = undefined;
        this.events.idle(this);
      }, idleTimeoutMs);
      this.idleTimer.unref();
    }
  }

  /** Ends the thread on purpose: its exit is not a crash. */
  retire(): Promise<void> {
    this.retiring = true;
    clearTimeout(this.idleTimer);
    void this.thread.terminate();
    return this.exited.promise;
  }

  /** Ends the thread because of `failure` (a timeout, a close deadline, a start-up error). */
  fail(failure: Error): void {
    this.failure ??= failure;
    void this.thread.terminate();
  }
}

/**
 * The worker thread's entry point (built to `dist/worker.js`): imports the pool's modules once, then runs units
 * of work one at a time, each from start to end, talking to the main thread through its MessagePort and the
 * shared control block.
 */
import { getPriority, setPriority } from 'node:os';
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { AnswerSender } from './answer-sender.js';
import { CreditWindow } from './credit-window.js';
import { WorkCancelledError } from './errors.js';
import type { ModuleReference, WorkHandler, WorkPort } from './executor.js';
import { BlockingInputReader } from './input-channel.js';
import {
  importModuleExport,
  ModuleLoadError,
  moduleReferenceKey,
  type ResolvedModuleReference,
} from './module-reference.js';
import { chunkBytes, transferBytes } from './outgoing-message.js';
import { ReferenceCache } from './reference-cache.js';
import { InputFileReader } from './spooled-input.js';
import {
  Control,
  serializeError,
  ToMain,
  ToWorker,
  type WorkerData,
  type WorkInput,
  WorkState,
  workSlot,
  workSlotValue,
} from './thread-protocol.js';

const { port, modules, windowMessages, windowBytes, clockBase, nice } = workerData as WorkerData;
const control = new Int32Array((workerData as WorkerData).control);
const inputBuffer = new Uint8Array((workerData as WorkerData).input);
const sharedInput = (workerData as WorkerData).sharedInput;
const sharedInputBytes = sharedInput === undefined ? new Uint8Array(0) : new Uint8Array(sharedInput);
const creditWindow = new CreditWindow(control, windowMessages, windowBytes);
const answers = new AnswerSender((workerData as WorkerData).answers, port);
const references = new ReferenceCache();
/** Exports this thread imported, by `url#export`. */
const loadedExports = new Map<string, unknown>();

forwardOutput();

/**
 * The thread gives way to the event loop. On Linux a thread has its own nice value, so this lowers only this
 * worker: when the main thread hands it work and both would run on one core, the scheduler lets the event loop
 * (the pool's bottleneck: it parses, writes and answers everything) finish its turn instead of switching to the
 * worker at once, and a native route stays responsive while every worker computes.
 */
function lowerPriority(): void {
  // Elsewhere (macOS, say) the nice value is the whole process's: lowering it would slow the event loop too.
  if (nice === 0 || process.platform !== 'linux') return;
  try {
    // Thread 0 is this thread: Linux keeps a nice value per thread.
    setPriority(0, Math.min(19, getPriority(0) + nice));
  } catch {
    // Not permitted or not supported here: the thread runs at the process's priority.
  }
}

async function importAll(toImport: readonly ResolvedModuleReference[]): Promise<void> {
  for (const reference of toImport) {
    const key = moduleReferenceKey(reference);
    if (!loadedExports.has(key)) loadedExports.set(key, await importModuleExport(reference));
  }
}

/**
 * `console` and `process.stdout`/`stderr` writes go to the main thread at once, as messages: Node's own worker
 * stdio holds every write after the first until the worker's event loop turns, which never happens while a
 * synchronous handler runs, and is lost if the thread then crashes or is terminated.
 */
function forwardOutput(): void {
  for (const [stream, fd] of [
    [process.stdout, 1],
    [process.stderr, 2],
  ] as const) {
    stream.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown): boolean => {
      const done = typeof encoding === 'function' ? encoding : callback;
      const text =
        typeof chunk === 'string'
          ? typeof encoding === 'string' && encoding !== 'utf8' && encoding !== 'utf-8'
            ? Buffer.from(chunk, encoding as BufferEncoding).toString()
            : chunk
          : new Uint8Array(chunk);
      port.postMessage([ToMain.output, fd, text]);
      if (typeof done === 'function') process.nextTick(done as () => void);
      return true;
    }) as typeof stream.write;
  }
}

/** A message held to travel with its unit's end (`send(…, last)`), and what it transfers. */
interface HeldMessage {
  readonly message: unknown;
  readonly bytes: number;
  readonly transfer: readonly ArrayBuffer[] | undefined;
}

class ThreadWorkPort implements WorkPort {
  /** The handler's last message (`send(…, last)`), posted with the unit's end. */
  held: HeldMessage | undefined;
  private reader: BlockingInputReader | InputFileReader | undefined;
  /** The input when it is in memory: its own array, or its place in the pool's shared input buffer. */
  private readonly memory: Uint8Array | undefined;
  private inputOffset = 0;
  private readonly slot: number;
  private readonly cancelledValue: number;

  constructor(
    private readonly unitId: number,
    private readonly input: WorkInput,
  ) {
    this.slot = workSlot(unitId);
    this.cancelledValue = workSlotValue(unitId, WorkState.cancelled);
    if (input instanceof Uint8Array) this.memory = input;
    else if (typeof input === 'object' && 'offset' in input) {
      this.memory = sharedInputBytes.subarray(input.offset, input.offset + input.length);
    }
  }

  readonly isCancelled = (): boolean => Atomics.load(control, this.slot) === this.cancelledValue;

  get cancelled(): boolean {
    return this.isCancelled();
  }

  send(message: unknown, transfer?: readonly ArrayBuffer[], last = false): void {
    this.release();
    const listed = transfer !== undefined && transfer.length > 0 ? transfer : undefined;
    const bytes = listed === undefined ? chunkBytes(message) : transferBytes(listed);
    creditWindow.acquire(bytes, this.isCancelled);
    if (last) {
      this.held = { message, bytes, transfer: listed };
      return;
    }
    try {
      answers.message(this.unitId, message, bytes, listed);
    } catch (error) {
      creditWindow.release(bytes);
      throw error;
    }
  }

  /** Sends a held message on its own: the handler did not return after it after all. */
  release(): void {
    const held = this.held;
    if (held === undefined) return;
    this.held = undefined;
    answers.message(this.unitId, held.message, held.bytes, held.transfer);
  }

  read(maxBytes: number): Uint8Array | null {
    this.release();
    const { input, memory } = this;
    if (input === true) {
      this.reader ??= new BlockingInputReader(
        control,
        inputBuffer,
        requestInput,
        this.unitId,
        this.isCancelled,
      );
      return this.reader.read(maxBytes);
    }
    if (this.isCancelled()) throw new WorkCancelledError();
    if (memory !== undefined) {
      if (this.inputOffset >= memory.byteLength) return null;
      const start = this.inputOffset;
      this.inputOffset = Math.min(memory.byteLength, start + Math.max(0, Math.floor(maxBytes)));
      // From shared memory, a copy: the space is reused once the unit ends, and some APIs refuse a shared view.
      return input instanceof Uint8Array
        ? memory.subarray(start, this.inputOffset)
        : memory.slice(start, this.inputOffset);
    }
    if (input === false) return null;
    const file = input as { readonly fd: number; readonly length: number };
    this.reader ??= new InputFileReader(file.fd, file.length);
    return this.reader.read(maxBytes);
  }

  readInto(target: Uint8Array): number {
    const { memory } = this;
    if (memory === undefined) {
      const chunk = this.read(target.byteLength);
      if (chunk === null) return 0;
      target.set(chunk);
      return chunk.byteLength;
    }
    this.release();
    if (this.isCancelled()) throw new WorkCancelledError();
    const start = this.inputOffset;
    const count = Math.max(0, Math.min(target.byteLength, memory.byteLength - start));
    target.set(memory.subarray(start, start + count));
    this.inputOffset = start + count;
    return count;
  }

  loaded<T = unknown>(reference: ModuleReference): T {
    const resolved = references.resolve(reference);
    const value = loadedExports.get(moduleReferenceKey(resolved));
    if (value === undefined) {
      throw new ModuleLoadError(
        `${resolved.url}#${resolved.exportName} was not loaded on this thread: pass it to the executor's load()`,
        resolved,
      );
    }
    return value as T;
  }
}

function requestInput(unitId: number, size: number): void {
  port.postMessage([ToMain.read, unitId, size]);
}

/** The unit's end, with its held last message if there is one (one hand-off for both). */
function finished(unitId: number, workPort: ThreadWorkPort | undefined): void {
  const held = workPort?.held;
  if (held === undefined) answers.done(unitId);
  else answers.message(unitId, held.message, held.bytes, held.transfer, true);
}

function failed(unitId: number, error: unknown, workPort?: ThreadWorkPort): void {
  workPort?.release();
  answers.failed(unitId, serializeError(error));
}

type WorkMessage = [
  typeof ToWorker.work,
  unitId: number,
  handler: ResolvedModuleReference,
  payload: unknown,
  input: WorkInput,
];
type LoadMessage = [typeof ToWorker.load, references: ResolvedModuleReference[]];
type BatchMessage = [typeof ToWorker.batch, messages: WorkMessage[]];

/** Runs one unit; returns a promise only when something had to be awaited (an import, an async handler). */
function runUnit([, unitId, reference, payload, input]: WorkMessage): Promise<void> | undefined {
  const dispatched = workSlotValue(unitId, WorkState.dispatched);
  const started = workSlotValue(unitId, WorkState.started);
  // Losing this race means the main thread took the unit back (cancelled, or moved to an idle worker).
  if (Atomics.compareExchange(control, workSlot(unitId), dispatched, started) !== dispatched) {
    return undefined;
  }
  Atomics.store(control, Control.startedAt, Date.now() - clockBase);
  const handler = loadedExports.get(moduleReferenceKey(reference));
  if (handler === undefined) {
    return importAll([reference]).then(
      () => runHandler(loadedExports.get(moduleReferenceKey(reference)), unitId, payload, input),
      (error: unknown) => failed(unitId, error),
    );
  }
  return runHandler(handler, unitId, payload, input);
}

function runHandler(
  handler: unknown,
  unitId: number,
  payload: unknown,
  input: WorkInput,
): Promise<void> | undefined {
  const workPort = new ThreadWorkPort(unitId, input);
  try {
    const result = (handler as WorkHandler)(payload, workPort);
    if (result && typeof (result as Promise<void>).then === 'function') {
      return (result as Promise<void>).then(
        () => finished(unitId, workPort),
        (error: unknown) => failed(unitId, error, workPort),
      );
    }
    finished(unitId, workPort);
  } catch (error) {
    failed(unitId, error, workPort);
  }
  return undefined;
}

function handle(message: WorkMessage | LoadMessage | BatchMessage): Promise<void> | undefined {
  if (message[0] === ToWorker.work) return runUnit(message);
  if (message[0] === ToWorker.batch) {
    inbox.unshift(...message[1]);
    return undefined;
  }
  return importAll(message[1]).then(
    () => port.postMessage([ToMain.loaded]),
    (error: unknown) => port.postMessage([ToMain.loaded, serializeError(error)]),
  );
}

const inbox: (WorkMessage | LoadMessage | BatchMessage)[] = [];
let pumping = false;

/**
 * Runs messages one at a time, in order. Between units it takes the next one straight off the port
 * (`receiveMessageOnPort`) instead of waiting for a 'message' event: a busy worker never idles on the event loop.
 */
async function pump(): Promise<void> {
  pumping = true;
  try {
    for (;;) {
      let next = inbox.shift();
      if (next === undefined) {
        const received = receiveMessageOnPort(port);
        if (received === undefined) break;
        next = received.message as WorkMessage | LoadMessage | BatchMessage;
      }
      const pending = handle(next);
      if (pending) await pending;
    }
  } finally {
    pumping = false;
  }
}

try {
  await importAll(modules);
  // Only now: start-up (an interpreter to load, say) is not work the event loop waits behind, and it should not
  // wait behind the rest of a busy machine either.
  lowerPriority();
  port.postMessage([ToMain.ready]);
} catch (error) {
  port.postMessage([ToMain.ready, serializeError(error)]);
}
port.on('message', (message: WorkMessage | LoadMessage | BatchMessage) => {
  inbox.push(message);
  if (!pumping) void pump();
});

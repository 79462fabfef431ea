/**
 * The JavaScript side of the gateway: the container's application, which runs one request in the Python
 * interpreter. It speaks to `gateway.py` through a staging buffer inside the interpreter's memory and small
 * integers, so a request costs a few crossings and no converted objects — the request itself stays here, and
 * Python names it by an identifier:
 *
 *   application(environ, startResponse)
 *     environ's strings ─latin-1─▶ staging ─▶ Gateway.call()  (Python: dict, app(environ, start_response))
 *       start_response ─▶ start(): status + headers from staging ─▶ the container's startResponse
 *       wsgi.input.read ─▶ read(): the container's wsgi.input ─▶ staging ─▶ bytes
 *     ◀─ the first chunk (or the whole body) in staging
 *   iterating: next() ─▶ Gateway.next_chunk() ◀─ the next chunk; close() ─▶ Gateway.close_response()
 */
import type { Environ, ResponseIterable, StartResponse, WriteCallable } from '@tsgi/environ';
import { PythonException } from './errors.js';

/** The few members of a Pyodide proxy the bridge uses (the `pyodide` package's types are much wider). */
export type PythonCallable = (...args: unknown[]) => unknown;

export interface PythonBuffer {
  getBuffer(type: 'u8'): { data: Uint8Array; release(): void };
}

/** The Python `Gateway`'s entry points, as the interpreter hands them to JavaScript. */
export interface PythonGateway {
  call: PythonCallable;
  next_chunk: PythonCallable;
  close_response: PythonCallable;
  failure: PythonCallable;
}

/** One request's JavaScript side, which Python names by its identifier in each bridge function. */
interface Exchange {
  readonly environ: Environ;
  readonly startResponse: StartResponse;
  write: WriteCallable | null;
}

/** The functions `gateway.py` calls (the `javascript` argument of its `install()`). */
export interface BridgeFunctions {
  start(identifier: number, length: number, count: number, hasExcInfo: boolean): boolean;
  write(identifier: number, length: number): void;
  read(identifier: number, mode: number, size: number): number;
  take_input(): Uint8Array;
  log(identifier: number, text: string | undefined): void;
  large(length: number): Uint8Array;
  /** The environ's string entries, when the staging buffer could not carry them. */
  environ(identifier: number): Array<[string, string]>;
}

// A result code is `length * 4 + kind` (gateway.py): the whole body, a chunk with more to come, or a failure.
const COMPLETE = 0;
const FAILED = 2;

const MULTITHREAD = 1;
const MULTIPROCESS = 2;
const RUN_ONCE = 4;
const INPUT_TERMINATED = 8;

/** Bytes the staging buffer holds; larger chunks and headers take a slower path. */
export const stagingSize = 64 * 1024;

const empty = new Uint8Array(0);
const notLatin1 = /[^\u0000-\u00ff]/;
/** Passed to the container's startResponse as excInfo, so "already sent" comes back as this value. */
const headersSentSignal = new Error('tsgi: headers already sent');

/**
 * The staging buffer: a Python `bytearray` whose memory JavaScript reads and writes in place. Its views die
 * when the interpreter's memory grows, so each use checks and takes new ones.
 */
class Staging {
  readonly #buffer: PythonBuffer;
  #view: { data: Uint8Array; release(): void };
  #bytes!: Uint8Array;
  #text!: Buffer;

  constructor(buffer: PythonBuffer) {
    this.#buffer = buffer;
    this.#view = buffer.getBuffer('u8');
    this.#views();
  }

  #views(): void {
    const { data } = this.#view;
    this.#bytes = data;
    this.#text = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }

  #fresh(): void {
    if (this.#bytes.byteLength !== 0) return;
    this.#view.release();
    this.#view = this.#buffer.getBuffer('u8');
    this.#views();
  }

  /** A copy of the first `length` bytes. */
  copy(length: number): Uint8Array {
    this.#fresh();
    return this.#bytes.slice(0, length);
  }

  latin1(length: number): string {
    this.#fresh();
    return this.#text.toString('latin1', 0, length);
  }

  /** Writes a string of code units below 256, one byte each. */
  writeLatin1(text: string): number {
    this.#fresh();
    return this.#text.write(text, 0, 'latin1');
  }

  set(bytes: Uint8Array): void {
    this.#fresh();
    this.#bytes.set(bytes, 0);
  }

  /** Lets `write` fill the first `length` bytes; returns what it returns (how many it wrote). */
  fill(length: number, write: (target: Uint8Array) => number): number {
    this.#fresh();
    return write(this.#bytes.subarray(0, length));
  }
}

/** One interpreter's gateway: builds the container-facing application over a loaded Python `Gateway`. */
export class PythonBridge {
  readonly #staging: Staging;
  #gateway: PythonGateway | undefined;
  /** A chunk too large for the staging buffer, copied by Python into a buffer of its own. */
  #large: Uint8Array = empty;
  /** Request bytes too many for the staging buffer, waiting for Python's `take_input()`. */
  #input: Uint8Array = empty;
  #nextIdentifier = 1;
  /** The request Python is running now (inside `call`, `next` or `close`), and its identifier. */
  #current: Exchange | null = null;
  #currentIdentifier = 0;
  /** Streaming responses still being iterated: Python may reach their request from a later `next`. */
  readonly #streaming = new Map<number, Exchange>();
  /** Called with an error that killed the interpreter (a Pyodide fatal error, `os._exit()`). */
  readonly #onFatal: (error: unknown) => void;

  constructor(staging: PythonBuffer, onFatal: (error: unknown) => void) {
    this.#staging = new Staging(staging);
    this.#onFatal = onFatal;
  }

  /** The functions Python calls, bound to this bridge. */
  readonly functions: BridgeFunctions = {
    start: (identifier, length, count, hasExcInfo) => {
      const exchange = this.#exchange(identifier);
      const fields = this.#staging.latin1(length).split('\0');
      const headers: Array<[string, string]> = new Array(count);
      for (let index = 0; index < count; index++) {
        headers[index] = [fields[1 + 2 * index]!, fields[2 + 2 * index]!];
      }
      try {
        exchange.write = exchange.startResponse(
          fields[0]!,
          headers,
          hasExcInfo ? headersSentSignal : undefined,
        );
      } catch (error) {
        if (error === headersSentSignal) return true;
        throw error;
      }
      return false;
    },
    write: (identifier, length) => {
      const write = this.#exchange(identifier).write;
      if (write === null) throw new Error('write() called before start_response()');
      write(this.#chunk(length));
    },
    read: (identifier, mode, size) => {
      const input = this.#exchange(identifier).environ['wsgi.input'];
      // Straight into the staging buffer: no array per read (a 64 KiB upload per request made the interpreter's
      // thread collect its whole heap every few hundred milliseconds).
      if (mode === 0 && size <= stagingSize && input.readInto !== undefined) {
        const wanted = size < 0 ? stagingSize : size;
        const count = this.#staging.fill(wanted, (target) => input.readInto!(target));
        if (size >= 0 || count < wanted) return count;
        // read() of a body larger than the staging buffer: the rest joins what it holds.
        const rest = input.read();
        if (rest.length === 0) return count;
        const whole = new Uint8Array(count + rest.length);
        whole.set(this.#staging.copy(count));
        whole.set(rest, count);
        this.#input = whole;
        return whole.length;
      }
      const limit = size < 0 ? undefined : size;
      const bytes = mode === 0 ? input.read(limit) : input.readline(limit);
      if (bytes.length > stagingSize) this.#input = bytes;
      else this.#staging.set(bytes);
      return bytes.length;
    },
    take_input: () => {
      const bytes = this.#input;
      this.#input = empty;
      return bytes;
    },
    log: (identifier, text) => {
      const exchange = this.#find(identifier);
      // A log stream kept past its request still writes somewhere a person reads.
      if (exchange === undefined) {
        if (text !== undefined) process.stderr.write(text);
        return;
      }
      const errors = exchange.environ['wsgi.errors'];
      if (text === undefined) errors.flush();
      else errors.write(text);
    },
    large: (length) => {
      this.#large = new Uint8Array(length);
      return this.#large;
    },
    environ: (identifier) => {
      const entries: Array<[string, string]> = [];
      for (const [key, value] of Object.entries(this.#exchange(identifier).environ)) {
        if (typeof value === 'string') entries.push([key, value]);
      }
      return entries;
    },
  };

  #find(identifier: number): Exchange | undefined {
    if (identifier === this.#currentIdentifier && this.#current !== null) return this.#current;
    return this.#streaming.get(identifier);
  }

  #exchange(identifier: number): Exchange {
    const exchange = this.#find(identifier);
    if (exchange === undefined) {
      throw new Error('this request is over: its start_response, write() and wsgi.input no longer work');
    }
    return exchange;
  }

  /** Binds the Python side once it is installed (it needs `functions` first). */
  attach(gateway: PythonGateway): void {
    this.#gateway = gateway;
  }

  /** The gateway application the container calls, on this interpreter's thread. */
  readonly application = (environ: Environ, startResponse: StartResponse): ResponseIterable => {
    const gateway = this.#gateway!;
    const exchange: Exchange = { environ, startResponse, write: null };
    const pairs = this.#writeEnviron(environ);
    const identifier = this.#nextIdentifier++;
    const code = this.#enter(identifier, exchange, () =>
      gateway.call(identifier, this.#environLength, pairs, environFlags(environ)),
    );
    const chunk = this.#outcome(code);
    if (code % 4 === COMPLETE) return chunk.length === 0 ? [] : [chunk];
    this.#streaming.set(identifier, exchange);
    return new PythonResponse(this, identifier, chunk);
  };

  /** The next chunk of a streaming response, or `null` at its end. */
  next(identifier: number): Uint8Array | null {
    const exchange = this.#streaming.get(identifier);
    const code = this.#enter(identifier, exchange, () => this.#gateway!.next_chunk(identifier));
    const chunk = this.#outcome(code);
    return code % 4 === COMPLETE ? null : chunk;
  }

  close(identifier: number): void {
    const exchange = this.#streaming.get(identifier);
    this.#streaming.delete(identifier);
    this.#outcome(this.#enter(identifier, exchange, () => this.#gateway!.close_response(identifier)));
  }

  /**
   * Calls into Python for the request `identifier`, which the bridge's functions then find as the current one.
   * An error that killed the interpreter goes to `onFatal` before it is rethrown.
   */
  #enter(identifier: number, exchange: Exchange | undefined, call: () => unknown): number {
    this.#currentIdentifier = identifier;
    this.#current = exchange ?? null;
    try {
      return call() as number;
    } catch (error) {
      if ((error as { pyodide_fatal_error?: boolean } | null)?.pyodide_fatal_error) this.#onFatal(error);
      throw error;
    } finally {
      this.#currentIdentifier = 0;
      this.#current = null;
    }
  }

  /** The chunk a result code announces; throws the Python exception of a failure. */
  #outcome(code: number): Uint8Array {
    const kind = code % 4;
    if (kind === FAILED) {
      const [name, message, traceback] = String(this.#gateway!.failure()).split('\0');
      throw new PythonException(name!, message!, traceback!);
    }
    return this.#chunk((code - kind) / 4);
  }

  #chunk(length: number): Uint8Array {
    if (length === 0) return empty;
    if (length <= stagingSize) return this.#staging.copy(length);
    const large = this.#large;
    this.#large = empty;
    return large;
  }

  /** The bytes `#writeEnviron` wrote into the staging buffer. */
  #environLength = 0;

  /**
   * Writes the environ's string entries as `key\0value\0…` into the staging buffer; returns how many pairs.
   * -1 when they do not fit, or a value is not latin-1: Python then asks for them as a list (`environ`).
   */
  #writeEnviron(environ: Environ): number {
    let text = '';
    let pairs = 0;
    for (const key in environ) {
      const value = (environ as Record<string, unknown>)[key];
      if (typeof value !== 'string') continue;
      text = pairs === 0 ? key + '\0' + value : text + '\0' + key + '\0' + value;
      pairs++;
    }
    if (text.length > stagingSize || notLatin1.test(text)) return -1;
    this.#environLength = this.#staging.writeLatin1(text);
    return pairs;
  }
}

function environFlags(environ: Environ): number {
  return (
    (environ['wsgi.multithread'] ? MULTITHREAD : 0) |
    (environ['wsgi.multiprocess'] ? MULTIPROCESS : 0) |
    (environ['wsgi.run_once'] ? RUN_ONCE : 0) |
    (environ['wsgi.input_terminated'] ? INPUT_TERMINATED : 0)
  );
}

/** A Python response iterable, pulled chunk by chunk as the container asks (its backpressure). */
class PythonResponse implements ResponseIterable, Iterator<Uint8Array> {
  readonly #bridge: PythonBridge;
  readonly #identifier: number;
  #first: Uint8Array | null;
  #done = false;

  constructor(bridge: PythonBridge, identifier: number, first: Uint8Array) {
    this.#bridge = bridge;
    this.#identifier = identifier;
    this.#first = first;
  }

  [Symbol.iterator](): Iterator<Uint8Array> {
    return this;
  }

  next(): IteratorResult<Uint8Array> {
    const first = this.#first;
    if (first !== null) {
      this.#first = null;
      return { value: first, done: false };
    }
    if (this.#done) return { value: undefined, done: true };
    const chunk = this.#bridge.next(this.#identifier);
    if (chunk === null) {
      this.#done = true;
      return { value: undefined, done: true };
    }
    return { value: chunk, done: false };
  }

  close(): void {
    this.#done = true;
    this.#bridge.close(this.#identifier);
  }
}

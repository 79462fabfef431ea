/**
 * The gateway handler: one request's whole life on the executor's thread. It builds `wsgi.input` and
 * `wsgi.errors` over its `WorkPort`, calls the application, implements `startResponse` and `write()`, iterates
 * the response, and always calls `close()`; everything it produces reaches the container as `GatewayMessage`s.
 *
 * Built as its own entry (`dist/gateway-handler.js`) so that worker threads can import it.
 */

import {
  type Environ,
  type EnvironVariables,
  type ResponseIterable,
  type StartResponse,
  type WriteCallable,
  type WSGIApplication,
  WSGIErrorStream,
  WSGIInputStream,
} from '@tsgi/environ';
import type { WorkPort } from '@tsgi/executors';
import type { GatewayMessage, HeadMessage } from './gateway-message.js';
import { describeValue, serializeError } from './gateway-message.js';
import { finalHeaders, parseResponseHead, type ResponseHead, statusForbidsBody } from './response-head.js';
import { validator } from './validator.js';

/** What the container decided once, shared by every request (cloned per request on a worker thread). */
export interface GatewaySettings {
  /** The application itself (inline executors) or a module reference that `port.loaded()` returns. */
  readonly app: WSGIApplication | { readonly module: string; readonly export: string };
  readonly validate: boolean;
  readonly serverSoftware: string;
  readonly defaultContentType: string | null;
  /**
   * The handler runs on the event-loop thread (an inline executor): it then yields after a flush so the bytes
   * leave at once, and transfers nothing (messages are not copied).
   */
  readonly onEventLoop: boolean;
}

/** One request's work. */
export interface GatewayPayload {
  readonly environ: EnvironVariables;
  readonly settings: GatewaySettings;
}

/** Largest batch of chunks joined into one message. */
const batchLimit = 128 * 1024;
/** Chunks produced within this long of the first one in a batch go out together. */
const batchWindowMs = 1;
/** A pull that took longer than this predicts a slow producer: flush before the next one. */
const slowPullMs = 1;

const validated = new WeakMap<WSGIApplication, WSGIApplication>();

/** Runs one request: the `handler` of the container's unit of work. */
export function gatewayHandler(payload: GatewayPayload, port: WorkPort): void | Promise<void> {
  const { settings } = payload;
  let app = typeof settings.app === 'function' ? settings.app : port.loaded<WSGIApplication>(settings.app);
  if (settings.validate) {
    let wrapped = validated.get(app);
    if (wrapped === undefined) {
      wrapped = validator(app);
      validated.set(app, wrapped);
    }
    app = wrapped;
  }
  return new GatewayResponse(payload, port).run(app);
}

/** Stops the handler's loops once the container can take no more (the client went away). */
class SendFailed extends Error {}

class GatewayResponse {
  readonly port: WorkPort;
  readonly settings: GatewaySettings;
  readonly environ: Environ;
  readonly headRequest: boolean;
  /** The pending (or sent) status and headers; `null` until `startResponse` succeeds. */
  head: ResponseHead | null = null;
  startCalled = false;
  headersSent = false;
  /** Body bytes still allowed by the application's `Content-Length` (or by HEAD/204/304: zero). */
  remaining = Number.POSITIVE_INFINITY;
  /** HEAD, 204 or 304: no body bytes are sent. */
  bodyless = false;
  /** The response needs no more body: stop iterating. */
  complete = false;
  /** Body bytes of a HEAD, 204 or 304 response, counted for HEAD's `Content-Length` but not sent. */
  discarded = 0;
  /** The iterable was exhausted, so the body's length is known if the headers are still pending. */
  lengthKnown = false;
  /** The batch's first chunk; `null` while the batch is empty. */
  batchFirst: Uint8Array | null = null;
  /** The batch's later chunks: made on a batch's second chunk only, then reused (a one-chunk body needs none). */
  batchRest: Uint8Array[] | null = null;
  batchBytes = 0;
  batchStart = 0;
  /** Sends the container has not yet taken (inline `write()` cannot await them). */
  pending: Promise<void> | null = null;
  sendFailed = false;
  readonly startResponse: StartResponse;
  readonly write: WriteCallable;

  constructor(payload: GatewayPayload, port: WorkPort) {
    this.port = port;
    this.settings = payload.settings;
    const environ = payload.environ as Environ;
    environ['wsgi.input'] = new WSGIInputStream(port, contentLength(environ));
    environ['wsgi.errors'] = new WSGIErrorStream((text) => this.log('error', text));
    this.environ = environ;
    this.headRequest = environ.REQUEST_METHOD === 'HEAD';
    this.startResponse = (status, headers, excInfo) => this.start(status, headers, excInfo);
    this.write = (chunk) => this.written(chunk);
  }

  /**
   * Calls the application and sends its response. A response that needs no waiting (an array the container took
   * at once, on the event loop) finishes synchronously, without a promise.
   */
  run(app: WSGIApplication): void | Promise<void> {
    let result: ResponseIterable | undefined;
    try {
      result = app(this.environ, this.startResponse);
      if (!Array.isArray(result)) return this.finishAfter(result, this.stream(checkIterable(result)));
      if (this.collect(result)) return this.finishAfter(result, this.settle());
    } catch (error) {
      return this.end(result, error);
    }
    return this.end(result, noFailure);
  }

  async finishAfter(result: ResponseIterable | undefined, body: Promise<void>): Promise<void> {
    let failure: unknown = noFailure;
    try {
      await body;
    } catch (error) {
      failure = error;
    }
    return this.end(result, failure);
  }

  /** Closes the iterable, then sends the end of the response or the failure. */
  end(result: ResponseIterable | undefined, failure: unknown): void | Promise<void> {
    if (result != null && typeof result.close === 'function') {
      try {
        result.close();
      } catch (error) {
        if (failure === noFailure) failure = error;
      }
    }
    this.environ['wsgi.errors'].flush();
    if (this.sendFailed || this.port.cancelled) return;
    if (failure === noFailure && !this.startCalled) {
      failure = new Error('The application returned without calling startResponse');
    }
    try {
      const sent = failure === noFailure ? this.finish() : this.fail(failure);
      // A rejection means the container is gone: nothing more can be said.
      if (sent !== undefined) return sent.then(undefined, noop);
    } catch {
      // The same, thrown.
    }
  }

  /** `startResponse(status, headers, excInfo?)`: checks now, so a mistake throws inside the application. */
  start(status: string, headers: ReadonlyArray<readonly [string, string]>, excInfo?: unknown): WriteCallable {
    if (excInfo != null) {
      if (this.headersSent) throw excInfo;
      // Nothing was sent: the failed response's queued body goes with its headers.
      this.batchFirst = null;
      this.batchRest = null;
      this.batchBytes = 0;
      this.discarded = 0;
      this.complete = false;
    } else if (this.startCalled) {
      throw new Error('startResponse() was already called; pass excInfo to replace the pending response');
    }
    this.startCalled = true;
    this.head = null;
    const head = parseResponseHead(status, headers);
    this.head = head;
    this.remaining = head.contentLength === -1 ? Number.POSITIVE_INFINITY : head.contentLength;
    this.bodyless = this.headRequest || statusForbidsBody(head.code);
    return this.write;
  }

  /**
   * `write()`: queued like a yielded chunk but not sent at once, so `write(a); return [b]` still gets one write
   * and a `Content-Length`; a long run of writes goes out per batch.
   */
  written(chunk: unknown): void {
    const wasEmpty = this.batchBytes === 0;
    this.take(chunk, false);
    if (this.batchBytes === 0) return;
    const now = performance.now();
    if (wasEmpty) this.batchStart = now;
    else if (now - this.batchStart >= batchWindowMs) this.flush();
  }

  /**
   * An array does not block: take it whole, so its length becomes `Content-Length` and it goes out in one write.
   * Returns whether something was sent that must be awaited (a batch of 128 KiB or more).
   */
  collect(chunks: readonly unknown[]): boolean {
    for (const chunk of chunks) {
      this.take(chunk, false);
      if (this.complete && !this.bodyless) break;
    }
    this.lengthKnown = true;
    return this.pending !== null || this.sendFailed;
  }

  /** Any other iterable: the first chunk goes out at once; chunks produced back to back are batched. */
  async stream(iterable: Iterable<unknown>): Promise<void> {
    const iterator = iterable[Symbol.iterator]();
    if (this.pending !== null || this.sendFailed) await this.settle();
    let pullStart = performance.now();
    while (!this.complete) {
      const step = iterator.next();
      // One clock read per pull: the end of this pull is the start of the next (what happens between is ours).
      const pullEnd = performance.now();
      if (step.done) {
        this.lengthKnown = true;
        return;
      }
      if (!this.headersSent) {
        this.take(step.value, true);
      } else {
        const wasEmpty = this.batchBytes === 0;
        this.take(step.value, false);
        if (wasEmpty) this.batchStart = pullStart;
        if (
          this.batchBytes > 0 &&
          (pullEnd - pullStart > slowPullMs || pullEnd - this.batchStart >= batchWindowMs)
        ) {
          this.flush();
        }
      }
      pullStart = pullEnd;
      if (this.pending !== null || this.sendFailed) {
        await this.settle();
        pullStart = performance.now();
      }
    }
  }

  /** Takes one chunk from `write()` or the iterable. The first non-empty chunk sends the headers when `now`. */
  take(value: unknown, now: boolean): void {
    let chunk = toBytes(value);
    if (chunk.length === 0) return;
    if (this.head === null) {
      throw new Error(
        this.startCalled
          ? 'The application sent body data after a failed startResponse()'
          : 'The application sent body data before calling startResponse()',
      );
    }
    if (this.bodyless) {
      // The headers are final once the first body bytes exist; the body is not sent.
      this.discarded += chunk.length;
      this.complete = true;
      return;
    }
    if (this.complete || this.remaining === 0) {
      this.complete = true;
      return;
    }
    if (chunk.length >= this.remaining) {
      chunk = chunk.subarray(0, this.remaining);
      this.complete = true;
    }
    this.remaining -= chunk.length;
    if (now && !this.headersSent && this.batchBytes === 0) {
      this.send(this.headMessage(chunk, false, -1));
      return;
    }
    if (this.batchFirst === null) this.batchFirst = chunk;
    else if (this.batchRest === null) this.batchRest = [chunk];
    else this.batchRest.push(chunk);
    this.batchBytes += chunk.length;
    // The first yielded chunk goes out at once, after any write() data queued before it.
    if (this.batchBytes >= batchLimit || (now && !this.headersSent)) this.flush();
  }

  flush(): void {
    const chunk = this.takeBatch();
    if (chunk === null) return;
    this.send(this.headersSent ? { type: 'body', chunk, end: false } : this.headMessage(chunk, false, -1));
  }

  /** The last message: the head if it is still pending (with a computed length), the rest of the body, the end. */
  finish(): void | Promise<void> {
    const chunk = this.takeBatch();
    if (!this.headersSent) {
      const known = this.lengthKnown ? (chunk?.length ?? 0) + this.discarded : -1;
      return this.port.send(this.headMessage(chunk, true, known), this.transferable(chunk));
    }
    const message: GatewayMessage = chunk === null ? { type: 'end' } : { type: 'body', chunk, end: true };
    return this.port.send(message, this.transferable(chunk));
  }

  fail(error: unknown): void | Promise<void> {
    return this.port.send({ type: 'error', headersSent: this.headersSent, error: serializeError(error) });
  }

  headMessage(chunk: Uint8Array | null, end: boolean, computedLength: number): HeadMessage {
    const head = this.head!;
    this.headersSent = true;
    const { serverSoftware, defaultContentType } = this.settings;
    const headers = finalHeaders(head, computedLength, serverSoftware, defaultContentType);
    return { type: 'head', code: head.code, reason: head.reason, headers, chunk, end };
  }

  takeBatch(): Uint8Array | null {
    const { batchFirst, batchRest, batchBytes } = this;
    if (batchFirst === null) return null;
    this.batchFirst = null;
    this.batchBytes = 0;
    if (batchRest === null || batchRest.length === 0) return batchFirst;
    const joined = join(batchFirst, batchRest, batchBytes);
    batchRest.length = 0;
    return joined;
  }

  /** Sends without awaiting (the caller may be synchronous: `write()`); `settle()` awaits. */
  send(message: GatewayMessage): void {
    let sent: void | Promise<void>;
    try {
      sent = this.port.send(message, this.transferable(chunkOf(message)));
    } catch (error) {
      this.sendFailed = true;
      throw new SendFailed('The container took no more messages', { cause: error });
    }
    if (sent === undefined) return;
    const settled = sent.then(undefined, () => {
      this.sendFailed = true;
    });
    this.pending = this.pending === null ? settled : Promise.all([this.pending, settled]).then(noop);
  }

  /** Waits for the container to take what was sent; on the event loop, lets it flush the first bytes. */
  async settle(): Promise<void> {
    if (this.pending !== null) {
      const pending = this.pending;
      this.pending = null;
      await pending;
      if (this.settings.onEventLoop) await yieldToEventLoop();
    }
    if (this.sendFailed) throw new SendFailed('The container took no more messages');
  }

  /** Buffers to transfer rather than copy to the container's thread (none on the event loop: nothing is copied). */
  transferable(chunk: Uint8Array | null): readonly ArrayBuffer[] | undefined {
    if (chunk === null || this.settings.onEventLoop || !ownBuffers.has(chunk.buffer)) return undefined;
    return [chunk.buffer as ArrayBuffer];
  }

  log(level: 'warn' | 'error', text: string): void {
    try {
      const sent = this.port.send({ type: 'log', level, text });
      if (sent !== undefined) sent.then(undefined, noop);
    } catch {
      // Cancelled: the line has nowhere to go.
    }
  }
}

const noFailure = Symbol('no failure');

function noop(): void {}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function contentLength(environ: EnvironVariables): number | undefined {
  const value = environ.CONTENT_LENGTH;
  return value === undefined || value === '' ? undefined : Number(value);
}

function checkIterable(result: unknown): Iterable<unknown> {
  if (
    result == null ||
    typeof result === 'string' ||
    result instanceof Uint8Array ||
    typeof (result as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function'
  ) {
    throw new TypeError(`The application must return an iterable of chunks, got ${describeValue(result)}`);
  }
  return result as Iterable<unknown>;
}

const encoder = new TextEncoder();

function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') {
    const bytes = encoder.encode(value);
    ownBuffers.add(bytes.buffer);
    return bytes;
  }
  throw new TypeError(`A response chunk must be a Uint8Array or a string, got ${describeValue(value)}`);
}

function join(first: Uint8Array, rest: readonly Uint8Array[], length: number): Uint8Array {
  // Uninitialised (every byte is written below) and never pooled: the buffer is the batch's own, so it can be
  // transferred to another thread.
  const joined = Buffer.allocUnsafeSlow(length);
  joined.set(first, 0);
  let offset = first.length;
  for (const chunk of rest) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  ownBuffers.add(joined.buffer);
  return joined;
}

function chunkOf(message: GatewayMessage): Uint8Array | null {
  return message.type === 'head' || message.type === 'body' ? message.chunk : null;
}

/**
 * Only buffers the gateway made itself (joined batches) are transferred to the container's thread: a chunk the
 * application returned may be a constant it sends again, which a transfer would detach.
 */
const ownBuffers = new WeakSet<ArrayBufferLike>();

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
import { describeValue, serializeError } from '@tsgi/protocol';
import type { GatewayMessage, HeadMessage } from './gateway-message.js';
import {
  addToBatch,
  batchLimit,
  batchWindowMs,
  clearBatch,
  isOwnBuffer,
  markOwnBuffer,
  pullEndsBatch,
  pullWasSlow,
  type ResponseBatch,
  takeBatch,
} from './response-batch.js';
import { finalHeaders, parseResponseHead, type ResponseHead } from './response-head.js';
import { admitChunk, type BodyLength, knownLength, limitBody } from './response-length.js';
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

const validated = new WeakMap<WSGIApplication, WSGIApplication>();

/** Runs one request: the `handler` of the container's `RequestWork`. */
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

/**
 * One response's run: PEP 3333's `startResponse` and `write()` semantics, the iteration and the messages. What
 * the body may carry is `response-length.ts`'s; how chunks are grouped into messages is `response-batch.ts`'s.
 */
class GatewayResponse implements BodyLength, ResponseBatch {
  readonly port: WorkPort;
  readonly settings: GatewaySettings;
  readonly environ: Environ;
  readonly headRequest: boolean;
  /** The pending (or sent) status and headers; `null` until `startResponse` succeeds. */
  head: ResponseHead | null = null;
  startCalled = false;
  headersSent = false;
  // BodyLength (response-length.ts)
  remaining = Number.POSITIVE_INFINITY;
  bodyless = false;
  complete = false;
  discarded = 0;
  lengthKnown = false;
  // ResponseBatch (response-batch.ts)
  batchFirst: Uint8Array | null = null;
  batchRest: Uint8Array[] | null = null;
  batchBytes = 0;
  batchStart = 0;
  /**
   * On the event loop: the head and first chunk were handed over without waiting, so that chunks produced right
   * after them join them in the same socket write (node sends them when the loop next turns). Cleared by the next
   * flush, which the handler then awaits.
   */
  headHeld = false;
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
      if (!Array.isArray(result)) return this.iterate(result, checkIterable(result));
      if (this.collect(result)) return this.closeAfter(result, this.settle());
    } catch (error) {
      return this.closeAndFinish(result, error);
    }
    return this.closeAndFinish(result, noFailure);
  }

  async closeAfter(result: ResponseIterable | undefined, body: Promise<void>): Promise<void> {
    let failure: unknown = noFailure;
    try {
      await body;
    } catch (error) {
      failure = error;
    }
    return this.closeAndFinish(result, failure);
  }

  /** Closes the iterable (PEP 3333 `close()`), then finishes the response or reports the failure. */
  closeAndFinish(result: ResponseIterable | undefined, failure: unknown): void | Promise<void> {
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
      clearBatch(this);
    } else if (this.startCalled) {
      throw new Error('startResponse() was already called; pass excInfo to replace the pending response');
    }
    this.startCalled = true;
    this.head = null;
    const head = parseResponseHead(status, headers);
    this.head = head;
    limitBody(this, head, this.headRequest);
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

  /**
   * Any other iterable, pulled without an `async` frame until a send must be awaited: a generator whose chunks all
   * come at once finishes synchronously, so on the event loop its whole response leaves in one socket write.
   */
  iterate(result: ResponseIterable | undefined, iterable: Iterable<unknown>): void | Promise<void> {
    const iterator = iterable[Symbol.iterator]();
    if (this.pending === null && !this.sendFailed && !this.pull(iterator)) {
      return this.closeAndFinish(result, noFailure);
    }
    return this.closeAfter(result, this.stream(iterator));
  }

  /** Awaits what was sent, then pulls again, until the iterable ends. */
  async stream(iterator: Iterator<unknown>): Promise<void> {
    do await this.settle();
    while (this.pull(iterator));
  }

  /**
   * Pulls chunks until the iterable ends (returns `false`) or a send must be awaited first (`true`). Chunks produced
   * back to back are batched. After a slow first pull the first chunk goes out at once; after a fast one it waits,
   * within the batch window, for those produced right after it.
   */
  pull(iterator: Iterator<unknown>): boolean {
    let pullStart = performance.now();
    while (!this.complete) {
      const step = iterator.next();
      // One clock read per pull: the end of this pull is the start of the next (what happens between is ours).
      const pullEnd = performance.now();
      if (step.done) {
        this.lengthKnown = true;
        return false;
      }
      if (!this.headersSent) {
        this.take(step.value, true);
        // A fast first pull predicts fast ones after it: on the event loop the head waits for them (within the
        // batch window, counted from now), so a generator's whole response can leave in one write.
        if (this.headersSent && this.settings.onEventLoop && !pullWasSlow(pullStart, pullEnd)) {
          this.headHeld = true;
          this.batchStart = pullEnd;
        }
      } else {
        const wasEmpty = this.batchBytes === 0;
        this.take(step.value, false);
        if (wasEmpty && !this.headHeld) this.batchStart = pullStart;
        if ((this.batchBytes > 0 || this.headHeld) && pullEndsBatch(this, pullStart, pullEnd)) this.flush();
      }
      pullStart = pullEnd;
      if (this.sendFailed || (this.pending !== null && !this.headHeld)) return true;
    }
    return false;
  }

  /** Takes one chunk from `write()` or the iterable. The first non-empty chunk sends the headers when `now`. */
  take(value: unknown, now: boolean): void {
    const bytes = toBytes(value);
    if (bytes.length === 0) return;
    if (this.head === null) {
      throw new Error(
        this.startCalled
          ? 'The application sent body data after a failed startResponse()'
          : 'The application sent body data before calling startResponse()',
      );
    }
    const chunk = admitChunk(this, bytes);
    if (chunk === null) return;
    if (now && !this.headersSent && this.batchBytes === 0) {
      this.send(this.headMessage(chunk, false, -1));
      return;
    }
    addToBatch(this, chunk);
    // The first yielded chunk goes out at once, after any write() data queued before it.
    if (this.batchBytes >= batchLimit || (now && !this.headersSent)) this.flush();
  }

  /** Sends the batch (if any) and ends a held head's wait: the handler awaits what was sent before it pulls again. */
  flush(): void {
    this.headHeld = false;
    const chunk = takeBatch(this);
    if (chunk === null) return;
    this.send(this.headersSent ? { type: 'body', chunk, end: false } : this.headMessage(chunk, false, -1));
  }

  /**
   * The last message: the head if it is still pending (with a computed length), the rest of the body, the end.
   * Sent after `close()`, as the handler's last act: on a worker thread it crosses with the unit's end.
   */
  finish(): void | Promise<void> {
    const chunk = takeBatch(this);
    if (!this.headersSent) {
      const known = knownLength(this, chunk?.length ?? 0);
      return this.port.send(this.headMessage(chunk, true, known), this.transferable(chunk), true);
    }
    const message: GatewayMessage = chunk === null ? { type: 'end' } : { type: 'body', chunk, end: true };
    return this.port.send(message, this.transferable(chunk), true);
  }

  fail(error: unknown): void | Promise<void> {
    const message: GatewayMessage = {
      type: 'error',
      headersSent: this.headersSent,
      error: serializeError(error),
    };
    return this.port.send(message, undefined, true);
  }

  headMessage(chunk: Uint8Array | null, end: boolean, computedLength: number): HeadMessage {
    const head = this.head!;
    this.headersSent = true;
    const { serverSoftware, defaultContentType } = this.settings;
    const headers = finalHeaders(head, computedLength, serverSoftware, defaultContentType);
    return { type: 'head', code: head.code, reason: head.reason, headers, chunk, end };
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
    if (chunk === null || this.settings.onEventLoop || !isOwnBuffer(chunk)) return undefined;
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
    return markOwnBuffer(encoder.encode(value));
  }
  throw new TypeError(`A response chunk must be a Uint8Array or a string, got ${describeValue(value)}`);
}

function chunkOf(message: GatewayMessage): Uint8Array | null {
  return message.type === 'head' || message.type === 'body' ? message.chunk : null;
}

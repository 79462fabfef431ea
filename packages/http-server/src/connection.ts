import { setMaxListeners } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import {
  errorPageText,
  type GatewayConnection,
  isDigits,
  joinChunks,
  reasonPhrase,
  type StartLine,
  statusHasNoBody,
} from '@tsgi/protocol';
import type { HTTPInputError } from './errors.js';
import { StreamClosedError } from './errors.js';
import type { HTTPServerRequest } from './request.js';
import type { ServerState } from './server-state.js';
import { wholeResponse } from './whole-response.js';

const RESOLVED: Promise<void> = Promise.resolve();
/** A tick's batch of body chunks is sent once it reaches this size (the container batches as much). */
const BATCH_LIMIT = 128 * 1024;
/** A chunk this large is written as it is rather than copied into a batch (node's default high-water mark). */
const LARGE_CHUNK = 16 * 1024;

/**
 * Runs from `process.nextTick`, which comes before the promise continuations already queued: a handler that awaits
 * `writeHeaders()` and then writes would find its headers sent alone. A microtask queued from here runs after them.
 */
function flushHeadersAfterContinuations(connection: HTTPConnection): void {
  RESOLVED.then(() => connection.flushIdleHeaders());
}

function flushBatchSoon(connection: HTTPConnection): void {
  // A failure shows on the handler's next write (the client is gone). Usually finish() took the batch already.
  const sent = connection.flushBatch();
  if (sent !== RESOLVED) sent.then(undefined, ignore);
}

/**
 * Lets node discard the rest of an unread request body (it stops emitting the body's data once it does), but
 * closes the connection once more than `limit` bytes arrived for it. Its trailer section, if any, is discarded
 * with it (RFC 9110 §6.5.2): nothing read it.
 */
function discardAtMost(incoming: IncomingMessage, limit: number): void {
  if (incoming.complete) return;
  const socket = incoming.socket;
  let discarded = 0;
  const count = (bytes: Buffer) => {
    discarded += bytes.length;
    if (discarded > limit) socket.destroy();
  };
  socket.on('data', count);
  incoming.once('end', () => socket.off('data', count));
}

const IDLE = 0;
const STREAMING = 1;
const FINISHED = 2;
const ABORTED = 3;

/** Each socket's abort controller, shared by the responses it carries (see `HTTPConnection.signal`). */
const socketControllers = new WeakMap<Socket, AbortController>();

/**
 * The response side of one request: the `GatewayConnection` seam of `@tsgi/protocol`, built on node's `ServerResponse`
 * (node does the chunked/close-delimited framing, `Date`, HEAD/204/304 body suppression and HTTP/1.0
 * keep-alive). On top of node it enforces a declared `Content-Length` (excess bytes dropped and logged, a short
 * body closes the connection), sends `Connection: close` while the server drains or with `noKeepAlive`, and turns
 * a vanished client into rejected writes and an aborted `signal`.
 */
export class HTTPConnection implements GatewayConnection {
  /** Node's response object, for what this class does not cover. */
  readonly response: ServerResponse;
  private readonly request: HTTPServerRequest;
  private readonly state: ServerState;
  private phase: number;
  /** Bytes still allowed by the response's Content-Length; -1 when there is none or no body may be sent. */
  private remaining: number;
  private status: number;
  private bodyStarted: boolean;
  /** Body bytes handed to the socket, for the access log. */
  private bodyBytes: number;
  private excessDropped: boolean;
  private expectContinue: boolean;
  private abortController: AbortController | undefined;
  /** Body chunks written in this tick after the first, sent as one chunk at its end (`null`: none yet). */
  private batch: Uint8Array[] | null;
  private batchBytes: number;

  constructor(
    request: HTTPServerRequest,
    response: ServerResponse,
    state: ServerState,
    expectContinue: boolean,
  ) {
    this.response = response;
    this.request = request;
    this.state = state;
    this.phase = IDLE;
    this.remaining = -1;
    this.status = 0;
    this.bodyStarted = false;
    this.bodyBytes = 0;
    this.excessDropped = false;
    this.expectContinue = expectContinue;
    this.abortController = undefined;
    this.batch = null;
    this.batchBytes = 0;
  }

  /** True once the status line went out (or was committed to). */
  get headersWritten(): boolean {
    return this.phase !== IDLE;
  }

  /** True once the response finished or was aborted. */
  get closed(): boolean {
    return this.phase >= FINISHED;
  }

  private clientGone(): boolean {
    return this.response.destroyed || this.request.incoming.socket.destroyed;
  }

  /**
   * Whether the response must say `Connection: close`: while the server drains, with `noKeepAlive`, and when it
   * answers the last request of a client that half-closed the connection (node marks that response `_last`
   * and closes after it; earlier pipelined ones still go out first).
   */
  private mustClose(): boolean {
    return (
      this.state.closing ||
      this.state.options.noKeepAlive ||
      (this.response as ServerResponse & { _last?: boolean })._last === true
    );
  }

  /**
   * Sends the status line and headers (flat `[name, value, …]`), with the first body bytes when given, in one
   * write where node can. Rejects (and sends nothing) for an invalid header, so the caller can still answer 500.
   */
  writeHeaders(startLine: StartLine, headers: readonly string[], chunk?: Uint8Array): Promise<void> {
    if (this.phase === ABORTED) return Promise.reject(new StreamClosedError('the connection was closed'));
    if (this.phase !== IDLE) return Promise.reject(new Error('writeHeaders called twice'));
    if (this.clientGone()) return Promise.reject(new StreamClosedError());
    const code = startLine.code;
    let remaining = -1;
    for (let index = 0; index < headers.length; index += 2) {
      const name = headers[index]!;
      if (
        name.length === 14 &&
        (name === 'Content-Length' || name === 'content-length' || name.toLowerCase() === 'content-length')
      ) {
        const value = headers[index + 1]!.trim();
        if (!isDigits(value))
          return Promise.reject(new TypeError(`invalid Content-Length ${JSON.stringify(value)}`));
        remaining = Number(value);
      }
    }
    if (this.request.method === 'HEAD' || statusHasNoBody(code)) remaining = -1;
    const response = this.response;
    if (this.mustClose()) response.shouldKeepAlive = false;
    try {
      response.writeHead(code, startLine.reason, headers as string[]);
    } catch (error) {
      return Promise.reject(error);
    }
    this.phase = STREAMING;
    this.status = code;
    this.remaining = remaining;
    if (chunk !== undefined) return this.write(chunk);
    // Node holds headers until the first body write. A streaming response (server-sent events, long-poll) must
    // show its headers at once, but one that writes or finishes in this same tick should still go out in one write.
    process.nextTick(flushHeadersAfterContinuations, this);
    return RESOLVED;
  }

  /** @internal */
  flushIdleHeaders(): void {
    if (this.phase === STREAMING && !this.bodyStarted) this.response.flushHeaders();
  }

  /** Writes body bytes. Resolves when the socket can take more ('drain'); rejects once the client is gone. */
  write(chunk: Uint8Array): Promise<void> {
    if (this.phase !== STREAMING) {
      if (this.phase === ABORTED) return Promise.reject(new StreamClosedError('the connection was closed'));
      return Promise.reject(
        new Error(this.phase === IDLE ? 'write before writeHeaders' : 'write after finish'),
      );
    }
    if (this.clientGone()) return Promise.reject(new StreamClosedError());
    let bytes = chunk;
    if (this.remaining >= 0 && bytes.length > this.remaining) {
      if (!this.excessDropped) {
        this.excessDropped = true;
        this.state.options.logger.error(
          `${this.request.method} ${this.request.uri}: response body longer than its Content-Length; ` +
            'excess bytes dropped',
        );
      }
      bytes = bytes.subarray(0, this.remaining);
    }
    if (bytes.length === 0) return RESOLVED;
    this.bodyBytes += bytes.length;
    if (this.remaining >= 0) this.remaining -= bytes.length;
    if (
      !this.bodyStarted ||
      bytes.length >= LARGE_CHUNK ||
      (this.batch === null && this.response.writableNeedDrain)
    ) {
      // The first bytes go to node at once (it sends them with the headers when the tick ends); a large chunk is
      // not worth copying into a batch: it is written as it is, after what is batched (node still sends both in
      // one socket write). While the socket is full, each write waits for 'drain'.
      this.bodyStarted = true;
      const batched = this.takeBatch();
      if (batched !== undefined) this.response.write(batched);
      return this.send(bytes);
    }
    // Later small chunks written in the same tick go out as one chunk at its end, or with finish() as node's
    // `end(chunk)`: one chunk header and one socket write instead of one per chunk. As with node's own writes
    // (which cork the socket until the next tick), a chunk must not be changed until its write resolves.
    if (this.batch === null) {
      this.batch = [bytes];
      process.nextTick(flushBatchSoon, this);
    } else {
      this.batch.push(bytes);
    }
    this.batchBytes += bytes.length;
    if (this.batchBytes >= BATCH_LIMIT) return this.flushBatch();
    return RESOLVED;
  }

  /** @internal Sends the chunks batched in this tick, joined. */
  flushBatch(): Promise<void> {
    const joined = this.takeBatch();
    if (joined === undefined || this.phase !== STREAMING) return RESOLVED;
    if (this.clientGone()) return Promise.reject(new StreamClosedError());
    return this.send(joined);
  }

  /** Empties the batch: its chunks joined (the chunk itself when alone), or `undefined` when there is none. */
  private takeBatch(): Uint8Array | undefined {
    const batch = this.batch;
    if (batch === null) return undefined;
    this.batch = null;
    const length = this.batchBytes;
    this.batchBytes = 0;
    return joinChunks(batch, length, Buffer.allocUnsafe);
  }

  private send(bytes: Uint8Array): Promise<void> {
    if (this.response.write(bytes)) return RESOLVED;
    return this.waitForDrain();
  }

  private waitForDrain(): Promise<void> {
    const response = this.response;
    const sendTimeout = this.state.options.sendTimeout;
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let timedOut = false;
      const onDrain = () => {
        clearTimeout(timer);
        response.off('close', onClose);
        resolve();
      };
      // A response that finished (the last write was not awaited) closes without 'drain': nothing was lost.
      const onClose = () => {
        clearTimeout(timer);
        response.off('drain', onDrain);
        if (response.writableFinished) resolve();
        else reject(new StreamClosedError(timedOut ? this.sendTimeoutReason() : undefined));
      };
      response.once('drain', onDrain);
      response.once('close', onClose);
      if (sendTimeout > 0) {
        timer = setTimeout(() => {
          timedOut = true;
          // A response already finished waits on its last bytes: closeIfNeverFlushed() ends that one.
          if (this.phase >= FINISHED) return;
          this.logSendTimeout();
          this.abort();
        }, sendTimeout);
      }
    });
  }

  /**
   * The response ended while the socket was still full: its last bytes wait for the client. One that never reads
   * them would hold the connection (and its buffers) forever; after `sendTimeout` the socket is closed.
   */
  private closeIfNeverFlushed(): void {
    const response = this.response;
    const timer = setTimeout(() => {
      this.logSendTimeout();
      this.request.incoming.socket.destroy();
    }, this.state.options.sendTimeout);
    const flushed = () => clearTimeout(timer);
    response.once('finish', flushed);
    response.once('close', flushed);
  }

  private sendTimeoutReason(): string {
    return `the client read nothing for ${this.state.options.sendTimeout} ms (sendTimeout)`;
  }

  private logSendTimeout(): void {
    const request = this.request;
    this.state.options.logger.warn(
      `${request.method} ${request.uri} (${request.remoteIp}): ${this.sendTimeoutReason()}; closing the connection`,
    );
  }

  /**
   * Ends the response. Without `writeHeaders` it is an empty `200`. If the declared Content-Length was not reached
   * the connection is closed (after flushing what was sent) rather than leaving the client waiting.
   */
  finish(): void {
    if (this.phase >= FINISHED) return;
    if (this.phase === IDLE) this.status = 200;
    const response = this.response;
    if (this.remaining > 0) {
      if (this.batch !== null) this.flushBatch().then(undefined, ignore);
      this.state.options.logger.error(
        `${this.request.method} ${this.request.uri}: response body ended ${this.remaining} bytes short of its ` +
          'Content-Length; closing the connection',
      );
      this.phase = ABORTED;
      this.request.markFinished();
      this.logAccess();
      // The connection's socket, not `response.socket`: a pipelined response may not have been given it yet.
      (this.request.incoming.socket as Socket & { destroySoon(): void }).destroySoon();
      return;
    }
    if (this.phase === IDLE && this.mustClose()) {
      response.shouldKeepAlive = false;
    }
    this.phase = FINISHED;
    const incoming = this.request.incoming;
    // Node reads and discards an unread body after the response so the connection can be reused; a chunked one
    // has no declared end, so bound what is discarded the way a read body is bounded.
    if (this.request.bodyLength === undefined && !incoming.complete) {
      response.once('finish', () => discardAtMost(incoming, this.state.options.maxBodySize));
    }
    const last = this.clientGone() ? undefined : this.takeBatch();
    let backedUp = response.writableNeedDrain;
    if (last === undefined) response.end();
    else {
      response.end(last);
      // The last bytes may be what filled the socket (a finished response no longer reports that itself).
      backedUp ||= response.socket?.writableNeedDrain === true;
    }
    if (backedUp && this.state.options.sendTimeout > 0) this.closeIfNeverFlushed();
    this.request.markFinished();
    this.logAccess();
    if (this.state.closing) this.state.onIdleWhileClosing();
  }

  /** Closes the connection at once: the way to fail after the headers were sent. */
  abort(): void {
    if (this.phase >= FINISHED) return;
    const batched = this.phase === STREAMING && !this.clientGone() ? this.takeBatch() : undefined;
    this.phase = ABORTED;
    this.batch = null;
    this.batchBytes = 0;
    this.request.markFinished();
    this.logAccess();
    // What was written before the failure goes out first: the client sees the response cut where it failed.
    if (batched !== undefined) this.response.write(batched);
    flushCorked(this.response);
    this.response.destroy();
    this.abortController?.abort(new StreamClosedError('the response was aborted'));
  }

  /**
   * Aborted when the client disconnects before the response finished (created on first read): its socket closed or
   * was reset. A half-close is not a disconnect: the client may still be reading its answer. One controller
   * serves every response on a keep-alive socket: an `AbortController` per request cost a thread-pool container
   * about 7 µs of event-loop CPU per request. A finished response's signal may therefore abort later, when its
   * socket closes.
   */
  get signal(): AbortSignal {
    if (this.abortController === undefined) {
      const socket = this.request.incoming.socket;
      let controller = socketControllers.get(socket);
      if (controller === undefined || (controller.signal.aborted && this.phase !== ABORTED)) {
        controller = new AbortController();
        const created = controller;
        socketControllers.set(socket, created);
        // Pipelined requests each listen on the same signal while in flight: not a leak.
        setMaxListeners(0, created.signal);
        socket.once('close', () => created.abort(new StreamClosedError()));
      }
      this.abortController = controller;
      if (this.phase === ABORTED || (this.phase !== FINISHED && this.clientGone())) {
        controller.abort(new StreamClosedError());
      }
    }
    return this.abortController.signal;
  }

  /**
   * A whole response in one call, for native handlers: `body` (a string is UTF-8, with a default
   * `Content-Type: text/plain; charset=utf-8`), `Content-Length` computed, `headers` as a flat list or a record.
   */
  respond(
    code: number,
    body?: string | Uint8Array,
    headers?: readonly string[] | Record<string, string>,
  ): Promise<void> {
    const whole = wholeResponse(code, body, headers);
    const written = this.writeHeaders({ code, reason: reasonPhrase(code) }, whole.headers, whole.body);
    if (this.phase === STREAMING) this.finish();
    return written;
  }

  /** Sends `100 Continue` if the client asked for it and it was not sent yet (on the body's first read). */
  sendContinue(): void {
    if (this.expectContinue) {
      this.expectContinue = false;
      if (this.phase === IDLE) this.response.writeContinue();
    }
  }

  /** Answers `status` with the error page and `Connection: close`; aborts if even that cannot be sent. */
  sendError(status: number): void {
    this.response.shouldKeepAlive = false;
    this.respond(status, errorPageText(status), ['Connection', 'close']).catch(() => this.abort());
  }

  /**
   * The request body is unacceptable (too large): answers its status with `Connection: close` if nothing was sent
   * yet, else aborts. Returns the error so the body reader can throw it.
   */
  refuseBody(error: HTTPInputError, log = true): HTTPInputError {
    if (log) {
      this.state.options.logger.warn(
        `${error.status} ${this.request.method} ${this.request.uri} (${this.request.remoteIp}): ${error.message}`,
      );
    }
    if (this.phase === IDLE) {
      this.sendError(error.status);
    } else {
      this.abort();
    }
    // Everything the application writes from now on is refused.
    if (this.phase === FINISHED) this.phase = ABORTED;
    return error;
  }

  /** True when the server logs this request: a gateway container then leaves its own access line out. */
  get logsAccess(): boolean {
    return this.state.accessLog !== undefined;
  }

  private logAccess(): void {
    const accessLog = this.state.accessLog;
    if (accessLog === undefined) return;
    const status = this.phase === ABORTED && this.status === 0 ? 0 : this.status;
    if (status !== 0 && status < 400 && !accessLog.successes) return;
    const request = this.request;
    const durationMs = request.requestTime() * 1000;
    accessLog.log({
      time: new Date(Date.now() - durationMs),
      status,
      method: request.method,
      uri: request.uri,
      version: request.version,
      remoteIp: request.remoteIp,
      durationMs,
      bytes: this.bodyBytes,
      userAgent: headerValue(request.rawHeaders, 'user-agent'),
      referer: headerValue(request.rawHeaders, 'referer'),
    });
  }
}

function ignore(): void {}

/**
 * Node corks the socket for the rest of the tick on a response's first write. Bytes written before an abort in the
 * same tick would be dropped with the socket: they go out first, as they would have a moment later.
 */
function flushCorked(response: ServerResponse): void {
  const socket = response.socket;
  if (socket === null || socket.destroyed) return;
  while (socket.writableCorked > 0) socket.uncork();
}

/** The first value of a header in a flat `[name, value, …]` list, or `""`. */
function headerValue(rawHeaders: readonly string[], lowerName: string): string {
  for (let index = 0; index < rawHeaders.length; index += 2) {
    if (rawHeaders[index]!.length === lowerName.length && rawHeaders[index]!.toLowerCase() === lowerName) {
      return rawHeaders[index + 1]!;
    }
  }
  return '';
}

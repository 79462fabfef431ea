/**
 * The container's side of one request, on the event loop: turns the gateway handler's messages into writes on
 * the connection, answers for an application that failed, and logs.
 */
import type { InputFile, Work } from '@tsgi/executors';
import {
  type ContainerRequest,
  describeError,
  endedByExecutor,
  type GatewayConnection,
  isUnavailable,
  isWorkCancelled,
  type Logger,
  logTornadoAccess,
  requestSummary,
  type SerializedError,
  sendErrorPage,
  serializeError,
} from '@tsgi/protocol';
import type { GatewayPayload } from './gateway-handler.js';
import type { GatewayMessage } from './gateway-message.js';

const empty = new Uint8Array(0);

/** What an work needs from its container (one object per container). */
export interface RequestWorkSettings {
  readonly logger: Logger;
  /** Whether successful responses (below 400) get an access line. */
  readonly accessLog: boolean;
  readonly serverSoftware: string;
  readonly debug: boolean;
  readonly handler: Work<GatewayPayload>['handler'];
  readonly timeoutMs: number | undefined;
  /**
   * Whether the executor gets the connection's abort signal. The inline handler learns of a departed client
   * from a rejected write, so the signal (an AbortController per request) is only made for thread executors.
   */
  readonly passSignal: boolean;
}

/** One request's work: what the executor runs, and the container's side of its messages. */
export class RequestWork implements Work<GatewayPayload> {
  readonly settings: RequestWorkSettings;
  readonly request: ContainerRequest;
  readonly connection: GatewayConnection;
  readonly startedAt: number;
  readonly handler: Work<GatewayPayload>['handler'];
  readonly payload: GatewayPayload;
  readonly input: Uint8Array | InputFile | AsyncIterable<Uint8Array>;
  readonly signal: AbortSignal | undefined;
  readonly timeoutMs: number | undefined;
  headersWritten = false;
  /** The response was finished or aborted: nothing more goes to the connection. */
  closed = false;
  /** The status the head carried (for the access line after the body). */
  code = 0;
  /** Why reading the request body failed (the server refused it, or the client left): not the app's fault. */
  inputError: unknown = undefined;
  readonly onMessage: (message: unknown) => void | Promise<void>;

  constructor(
    settings: RequestWorkSettings,
    request: ContainerRequest,
    payload: GatewayPayload,
    startedAt: number,
    /** The body, when the container buffered it; else the request's own body or stream. */
    body?: Uint8Array | InputFile,
  ) {
    this.settings = settings;
    this.request = request;
    this.connection = request.connection;
    this.startedAt = startedAt;
    this.handler = settings.handler;
    this.payload = payload;
    const bodyStream = request.body === undefined ? request.bodyStream : undefined;
    this.input = body ?? (bodyStream === undefined ? (request.body ?? empty) : this.watchInput(bodyStream));
    this.signal = settings.passSignal ? request.connection.signal : undefined;
    this.timeoutMs = settings.timeoutMs;
    this.onMessage = (message) => this.receive(message as GatewayMessage);
  }

  receive(message: GatewayMessage): void | Promise<void> {
    if (this.closed) {
      if (message.type === 'log') this.settings.logger.error(message.text);
      return;
    }
    switch (message.type) {
      case 'head': {
        this.headersWritten = true;
        this.code = message.code;
        // The message has `code` and `reason`: it is the start line.
        const written = this.connection.writeHeaders(message, message.headers, message.chunk ?? undefined);
        if (!message.end) return written;
        written.then(undefined, ignore);
        this.finish();
        return;
      }
      case 'body': {
        const written = this.connection.write(message.chunk);
        if (!message.end) return written;
        written.then(undefined, ignore);
        this.finish();
        return;
      }
      case 'end':
        this.finish();
        return;
      case 'error':
        this.fail(message.error, message.headersSent);
        return;
      case 'log':
        if (message.level === 'warn') this.settings.logger.warn(message.text);
        else this.settings.logger.error(message.text);
        return;
    }
  }

  finish(): void {
    this.closed = true;
    this.connection.finish();
    this.logAccess(this.code);
  }

  /** The container's access line, unless the server keeps the access log (then it writes the line itself). */
  logAccess(code: number): void {
    if (this.connection.logsAccess === true) return;
    logTornadoAccess(this.settings.logger, code, this.request, this.startedAt, this.settings.accessLog);
  }

  /** Passes the body through, remembering why it failed if it does (the server already answered that). */
  async *watchInput(body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
    try {
      yield* body;
    } catch (error) {
      this.inputError = error;
      throw error;
    }
  }

  /** The application failed: a 500 page while nothing was written, else the connection is closed. */
  fail(error: SerializedError, headersSent: boolean): void {
    this.closed = true;
    const { logger, serverSoftware, debug } = this.settings;
    if (this.inputError !== undefined) {
      // The request body was refused by the server (which answered it, e.g. 413) or cut by the client: the
      // application only saw the consequence, so this is not an application error.
      logger.warn(
        `Request body not read: ${requestSummary(this.request)}: ${serializeError(this.inputError).message}`,
      );
      if (headersSent || this.headersWritten) this.connection.abort();
      else sendErrorPage(this.connection, 400, serverSoftware);
      return;
    }
    // The executor ended the work (a timeout, a crash, a heap limit): its message says it all, a stack would not.
    logger.error(
      endedByExecutor(error.name)
        ? `${error.name}: ${requestSummary(this.request)}: ${error.message}`
        : `Uncaught exception in gateway application: ${requestSummary(this.request)}\n${error.stack}`,
    );
    if (headersSent || this.headersWritten) {
      this.connection.abort();
      return;
    }
    sendErrorPage(this.connection, 500, serverSoftware, debug ? error.stack : undefined);
    this.logAccess(500);
  }

  /** The run settled. Anything but a finished response is answered or closed here, so no connection hangs. */
  settled(error?: unknown): void {
    if (this.closed) {
      if (error !== undefined && !isWorkCancelled(error)) {
        this.settings.logger.error(
          `Gateway work failed after the response: ${requestSummary(this.request)}\n${describeError(error)}`,
        );
      }
      return;
    }
    if (isUnavailable(error) && !this.headersWritten) {
      // The executor refused the work (its queue is full) or gave it up (it closed): busy or stopping, not broken.
      this.closed = true;
      this.settings.logger.warn(`${error.message}: ${requestSummary(this.request)}`);
      sendErrorPage(this.connection, 503, this.settings.serverSoftware);
      this.logAccess(503);
      return;
    }
    if (error === undefined || isWorkCancelled(error) || this.connection.signal.aborted) {
      // The handler stopped without a response, or the run failed because a write did: the client went away
      // (or the executor cancelled the work). Nothing to report.
      this.closed = true;
      this.connection.abort();
      return;
    }
    this.fail(serializeError(error), false);
  }
}

function ignore(): void {}

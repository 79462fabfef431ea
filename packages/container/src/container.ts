/**
 * `WSGIContainer`: Tornado's `tornado.wsgi.WSGIContainer` for gateway applications. Give it to `HTTPServer` or
 * to a router; each request's work (`RequestWork`) runs on the executor.
 */

import {
  buildEnviron,
  type Environ,
  EnvironError,
  type EnvironOptions,
  environVariables,
  type GatewayRequest,
  type WSGIApplication,
} from '@tsgi/environ';
import {
  assertExecutorSupported,
  defaultSpoolMemoryLimit,
  type Executor,
  type ExecutorCloseOptions,
  InlineExecutor,
  type InputFile,
  isInputFile,
  type ModuleReference,
  resolveModuleReference,
  type SpoolOptions,
  spoolInput,
} from '@tsgi/executors';
import {
  type ContainerRequest,
  defaultServerSoftware,
  describeError,
  errorNames,
  type Logger,
  logTornadoAccess,
  requestSummary,
  sendErrorPage,
} from '@tsgi/protocol';
import { type GatewayPayload, type GatewaySettings, gatewayHandler } from './gateway-handler.js';
import { RequestWork, type RequestWorkSettings } from './request-work.js';

export { defaultServerSoftware };

/** Options of `new WSGIContainer(app, options)`. */
export interface WSGIContainerOptions {
  /** Where the application runs. Default: a new `InlineExecutor` (the event-loop thread, like Tornado's default). */
  readonly executor?: Executor;
  /** Access lines, error reports and `wsgi.errors` output. Default: `console`. */
  readonly logger?: Logger;
  /** The `Server` header added when the application sends none, and `SERVER_SOFTWARE`. Default: `tsgi/<version>`. */
  readonly serverSoftware?: string;
  /** Wrap the application in `validator()`, checking both sides of PEP 3333. Default: `false`. */
  readonly validate?: boolean;
  /**
   * Log an access line for every response, Tornado's way (`200 GET /a?x=1 (127.0.0.1) 1.23ms` at info). `false`
   * logs only responses of 400 and above (warn/error), and skips building the other lines. A connection whose
   * server keeps the access log itself (`logsAccess`, e.g. `HTTPServer` with `accessLog`) gets no line from the
   * container, so a request is never logged twice. Default: `true`.
   */
  readonly accessLog?: boolean;
  /** Show the error's stack on 500 pages. Default: `false` (the stack is always logged). */
  readonly debug?: boolean;
  /** Fail a request that runs longer than this (500, or a closed connection after the headers). Default: none. */
  readonly timeoutMs?: number;
  /**
   * A request body is read whole before the application runs, so a slow uploader never holds a thread: up to
   * this many bytes in memory, a longer body in a temporary file (unlinked at once; bounded by the server's
   * `maxBodySize`). Default `65536` (see the README for why).
   */
  readonly bodyBufferSize?: number;
  /** Where bodies longer than `bodyBufferSize` are kept while their request runs. Default `os.tmpdir()`. */
  readonly bodyTempDirectory?: string;
  /**
   * Thread executors only: hand the body to the application as it arrives instead of reading it first. The
   * application then runs before its body is read, and `Expect: 100-continue` is answered on its first read of
   * `wsgi.input` — but a slow uploader holds its worker thread meanwhile. Default `false`.
   */
  readonly streamInput?: boolean;
  /**
   * `wsgi.multiprocess`: set it when the server runs several processes (`HTTPServer.start(n)`). Default: `false`.
   */
  readonly multiprocess?: boolean;
  /**
   * `Content-Type` added when the application sends none (Tornado adds `text/html; charset=UTF-8`), except on
   * 204 and 304; `null` adds none. Default: `'text/html; charset=UTF-8'`.
   */
  readonly defaultContentType?: string | null;
}

/** The gateway handler as a worker thread imports it: the built `dist/gateway-handler.js` beside this file. */
const gatewayHandlerReference = {
  module: new URL('./gateway-handler.js', import.meta.url).href,
  export: 'gatewayHandler',
};

/**
 * Runs a PEP 3333-style gateway application for each request: `new HTTPServer(new WSGIContainer(app))`.
 *
 * `app` is the application function (inline executors only), or a module reference naming it
 * (`"./dist/app.js#app"` or `{ module, export }`), which every executor accepts.
 */
export class WSGIContainer {
  readonly executor: Executor;
  readonly logger: Logger;
  readonly #settings: GatewaySettings;
  readonly #environOptions: EnvironOptions;
  readonly #workSettings: RequestWorkSettings;
  readonly #modules: ModuleReference[];
  /** How bodies are buffered before dispatch; `undefined` when they stream to the application instead. */
  readonly #spool: SpoolOptions | undefined;
  /** Bodies declared this long or shorter are read whole by the server (`ContainerRequest.readBody`). */
  readonly #memoryLimit: number;
  #ready: Promise<void> | null = null;
  #loaded: boolean;

  constructor(app: WSGIApplication | ModuleReference, options: WSGIContainerOptions = {}) {
    const executor = options.executor ?? new InlineExecutor();
    assertExecutorSupported(executor);
    const inline = executor.kind === 'inline';
    let appSetting: GatewaySettings['app'];
    if (typeof app === 'function') {
      if (!inline) {
        throw new TypeError(
          `A ${executor.kind} executor cannot run a function: functions cannot cross into another thread. ` +
            `Name the application by module reference instead, e.g. new WSGIContainer('./dist/app.js#app', { executor })`,
        );
      }
      appSetting = app as WSGIApplication;
    } else {
      const resolved = resolveModuleReference(app);
      appSetting = { module: resolved.url, export: resolved.exportName };
    }
    this.executor = executor;
    this.logger = options.logger ?? console;
    const serverSoftware = options.serverSoftware ?? defaultServerSoftware;
    this.#settings = {
      app: appSetting,
      validate: options.validate ?? false,
      serverSoftware,
      defaultContentType:
        options.defaultContentType === undefined ? 'text/html; charset=UTF-8' : options.defaultContentType,
      onEventLoop: inline,
    };
    this.#environOptions = {
      serverSoftware,
      multithread: executor.multithread,
      multiprocess: options.multiprocess ?? false,
    };
    this.#modules = [];
    if (!inline) this.#modules.push(gatewayHandlerReference);
    if (typeof appSetting !== 'function') this.#modules.push(appSetting);
    this.#loaded = this.#modules.length === 0;
    this.#memoryLimit = options.bodyBufferSize ?? defaultSpoolMemoryLimit;
    this.#spool =
      options.streamInput === true && !inline
        ? undefined
        : {
            memoryLimit: this.#memoryLimit,
            ...(options.bodyTempDirectory === undefined ? {} : { directory: options.bodyTempDirectory }),
          };
    this.#workSettings = {
      logger: this.logger,
      accessLog: options.accessLog ?? true,
      serverSoftware,
      debug: options.debug ?? false,
      handler: inline ? gatewayHandler : gatewayHandlerReference,
      timeoutMs: options.timeoutMs,
      passSignal: !inline,
    };
  }

  /**
   * Loads the application (and the gateway handler) on every executor thread, so an application that does not
   * load fails at start-up. `HTTPServer.listen()` awaits it; `handleRequest()` awaits it on first use otherwise.
   */
  ready(): Promise<void> {
    this.#ready ??= this.executor.load(this.#modules).then(() => {
      this.#loaded = true;
    });
    return this.#ready;
  }

  /**
   * The environ the application would see for `request` (Tornado 6.3's instance method), with `wsgi.input` over
   * the buffered body and `wsgi.errors` routed to the logger.
   */
  environ(request: GatewayRequest): Environ {
    return buildEnviron(request, {
      ...this.#environOptions,
      errors: (line: string) => this.logger.error(line),
    });
  }

  /**
   * Lets the executor finish its work and releases its threads (with `timeoutMs`, work still running then is
   * ended and its requests answered 503). `HTTPServer.close()` calls it with its own deadline. The executor is
   * closed even if another container shares it.
   */
  close(options?: ExecutorCloseOptions): Promise<void> {
    return this.executor.close(options);
  }

  /** Answers one request: what `HTTPServer` and routers call. Resolves once the response is finished or aborted. */
  handleRequest(request: ContainerRequest): Promise<void> {
    const startedAt = performance.now();
    let payload: GatewayPayload;
    try {
      payload = { environ: environVariables(request, this.#environOptions), settings: this.#settings };
    } catch (error) {
      this.#refuse(request, error, startedAt);
      return Promise.resolve();
    }
    // The request is checked (a refusal above needs no body, nor 100 Continue); now its body, then the work.
    if (request.body === undefined && this.#spool !== undefined) {
      const bodyLength = request.bodyLength;
      // A body declared to fit in memory is read by the server in one go, without an iterator step per chunk.
      if (request.readBody !== undefined && bodyLength !== undefined && bodyLength <= this.#memoryLimit) {
        return this.#bufferThenRun(request, request.readBody(), payload, startedAt);
      }
      const bodyStream = request.bodyStream;
      if (bodyStream !== undefined) {
        const spooling = spoolInput(bodyStream, this.#spool, request.bodyLength);
        return this.#bufferThenRun(request, spooling, payload, startedAt);
      }
    }
    return this.#dispatch(new RequestWork(this.#workSettings, request, payload, startedAt));
  }

  #dispatch(work: RequestWork): Promise<void> {
    if (!this.#loaded) return this.#runWhenLoaded(work);
    return this.#run(work);
  }

  /**
   * Waits for the whole body, read on the event loop (by the server's `readBody()`, or spooled from the stream;
   * the first read answers `Expect: 100-continue`), so the application starts only when it can run without
   * waiting for the client.
   */
  #bufferThenRun(
    request: ContainerRequest,
    reading: Promise<Uint8Array | InputFile>,
    payload: GatewayPayload,
    startedAt: number,
  ): Promise<void> {
    // One `then`, no `async` frame: this runs for every request with a body.
    return reading.then(
      (body) => {
        // What the application reads, now known (a chunked body had no length before).
        payload.environ.CONTENT_LENGTH = String(body.length);
        return this.#dispatch(new RequestWork(this.#workSettings, request, payload, startedAt, body));
      },
      (error: unknown) => this.#bodyNotReceived(request, error, startedAt),
    );
  }

  /**
   * The body could not be read. The server already answered what it refused (413, 408) or the client left; only
   * a failure to store the body is ours to answer.
   */
  #bodyNotReceived(request: ContainerRequest, error: unknown, startedAt: number): void {
    if ((error as Error | undefined)?.name !== errorNames.inputSpool) {
      request.connection.abort();
      return;
    }
    this.logger.error(
      `Could not buffer the request body: ${requestSummary(request)}: ${(error as Error).message}`,
    );
    sendErrorPage(request.connection, 500, this.#settings.serverSoftware);
    if (request.connection.logsAccess !== true) logTornadoAccess(this.logger, 500, request, startedAt);
  }

  /** Without an `async` frame: a request the inline executor answers synchronously costs one `then`. */
  #run(work: RequestWork): Promise<void> {
    let ran: Promise<void>;
    try {
      ran = this.executor.run(work);
    } catch (error) {
      releaseInput(work);
      work.settled(error);
      return Promise.resolve();
    }
    return ran.then(
      () => work.settled(),
      (error: unknown) => work.settled(error),
    );
  }

  async #runWhenLoaded(work: RequestWork): Promise<void> {
    try {
      await this.ready();
    } catch (error) {
      releaseInput(work);
      work.settled(error);
      return;
    }
    return this.#run(work);
  }

  /** The environ could not be built: 400 (or 404 outside the mount prefix) with the reason. */
  #refuse(request: ContainerRequest, error: unknown, startedAt: number): void {
    const known = error instanceof EnvironError;
    const code = known ? error.status : 500;
    if (!known) this.logger.error(`Building the environ failed: ${describeError(error)}`);
    sendErrorPage(request.connection, code, this.#settings.serverSoftware, known ? error.message : undefined);
    if (request.connection.logsAccess !== true) logTornadoAccess(this.logger, code, request, startedAt);
  }
}

/** Closes the body's file of work that never reached the executor (which would have released it). */
function releaseInput(work: RequestWork): void {
  if (isInputFile(work.input)) work.input.release();
}

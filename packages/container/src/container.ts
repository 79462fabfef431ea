/**
 * `WSGIContainer`: Tornado's `tornado.wsgi.WSGIContainer` for gateway applications. Give it to `HTTPServer` or
 * to a router; each request becomes one unit of work on the executor.
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
  type Executor,
  InlineExecutor,
  type ModuleReference,
  resolveModuleReference,
} from '@tsgi/executors';
import { sendErrorPage } from './error-page.js';
import type { ContainerRequest } from './gateway-connection.js';
import { type ExchangeSettings, GatewayExchange } from './gateway-exchange.js';
import { type GatewayPayload, type GatewaySettings, gatewayHandler } from './gateway-handler.js';
import { type Logger, logAccess } from './logger.js';

declare const __TSGI_VERSION__: string;

/** `Server` header and `SERVER_SOFTWARE`: `tsgi/<version>`. */
export const defaultServerSoftware = `tsgi/${typeof __TSGI_VERSION__ === 'string' ? __TSGI_VERSION__ : '0.0.0'}`;

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
  readonly #exchangeSettings: ExchangeSettings;
  readonly #modules: ModuleReference[];
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
    this.#exchangeSettings = {
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
    const exchange = new GatewayExchange(this.#exchangeSettings, request, payload, startedAt);
    if (!this.#loaded) return this.#runWhenLoaded(exchange);
    return this.#run(exchange);
  }

  /** Without an `async` frame: a request the inline executor answers synchronously costs one `then`. */
  #run(exchange: GatewayExchange): Promise<void> {
    let ran: Promise<void>;
    try {
      ran = this.executor.run(exchange);
    } catch (error) {
      exchange.settled(error);
      return Promise.resolve();
    }
    return ran.then(
      () => exchange.settled(),
      (error: unknown) => exchange.settled(error),
    );
  }

  async #runWhenLoaded(exchange: GatewayExchange): Promise<void> {
    try {
      await this.ready();
    } catch (error) {
      exchange.settled(error);
      return;
    }
    return this.#run(exchange);
  }

  /** The environ could not be built: 400 (or 404 outside the mount prefix) with the reason. */
  #refuse(request: ContainerRequest, error: unknown, startedAt: number): void {
    const known = error instanceof EnvironError;
    const code = known ? error.status : 500;
    if (!known) this.logger.error(`Building the environ failed: ${String((error as Error)?.stack ?? error)}`);
    sendErrorPage(request.connection, code, this.#settings.serverSoftware, known ? error.message : undefined);
    if (request.connection.logsAccess !== true) logAccess(this.logger, code, request, startedAt);
  }
}

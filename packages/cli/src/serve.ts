/**
 * `tsgi serve`: wires an executor, a `WSGIContainer` and an `HTTPServer` from the parsed flags, listens and
 * prints where, like gunicorn. Signals are the executable's business (`signals.ts`).
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { WSGIContainer } from '@tsgi/container';
import {
  type Executor,
  InlineExecutor,
  importModuleExport,
  type ModuleReference,
  resolveModuleReference,
  ThreadPoolExecutor,
} from '@tsgi/executors';
import {
  type AccessLogOptions,
  HTTPServer,
  type HTTPServerOptions,
  type HTTPServerRequest,
  type Logger,
} from '@tsgi/http-server';
import { type BindAddress, describeBindAddress } from './bind-address.js';
import { processLogger } from './process-logger.js';
import type { PythonServeOptions, ServeOptions } from './serve-options.js';
import { ServeUsageError } from './usage-error.js';

export { ServeUsageError };

/** A server `tsgi serve` started, and how to stop or reload it. */
export interface Serving {
  /** The first address it listens on (`http://…`, or `unix:/path`). */
  readonly url: string;
  readonly urls: readonly string[];
  /** True in the process that supervises worker processes (it serves nothing itself). */
  readonly supervisor: boolean;
  /** Drains requests in flight (up to the graceful timeout), then releases threads and sockets. */
  close(): Promise<void>;
  /**
   * Loads the application afresh without failing a request: new worker threads (or processes) load it and take
   * new requests, the old ones drain. Rejects, with the old version still serving, if the new one does not load.
   */
  reload(): Promise<void>;
}

/** One line per request, on stderr with the other log lines; JSON lines stay pure JSON. */
function accessLogOptions(options: ServeOptions): AccessLogOptions {
  const format = options.accessLogFormat ?? 'tornado';
  const prefix = format === 'tornado' ? `[${process.pid}] ` : '';
  return {
    format,
    successes: options.accessLog,
    write: (line) => {
      process.stderr.write(`${prefix}${line}\n`);
    },
  };
}

function httpServerOptions(options: ServeOptions, logger: Logger): HTTPServerOptions {
  return {
    xheaders: options.xheaders,
    trustedDownstream: options.trustedDownstream,
    ...(options.protocol === undefined ? {} : { protocol: options.protocol }),
    ...(options.certfile === undefined || options.keyfile === undefined
      ? {}
      : { tls: { cert: readFileSync(options.certfile), key: readFileSync(options.keyfile) } }),
    decompressRequest: options.decompressRequest,
    maxBodySize: options.maxBodySize,
    maxHeaderSize: options.maxHeaderSize,
    limitRequestLine: options.limitRequestLine,
    limitRequestFields: options.limitRequestFields,
    limitRequestFieldSize: options.limitRequestFieldSize,
    idleConnectionTimeout: options.idleConnectionTimeout,
    headersTimeout: options.headersTimeout,
    bodyTimeout: options.bodyTimeout,
    sendTimeout: options.sendTimeout,
    noKeepAlive: options.noKeepAlive,
    ...(options.socketMode === undefined ? {} : { unixSocketMode: options.socketMode }),
    // The server keeps the one access log (refusals included); the container under it then logs no request.
    accessLog: accessLogOptions(options),
    logger,
  };
}

function describeExecutor(options: ServeOptions, processes: number, loadSeconds: number): string {
  const parts = [`executor: ${options.executor}`];
  if (options.executor === 'thread')
    parts.push(`${options.workers} worker${options.workers === 1 ? '' : 's'}`);
  if (processes !== 1) parts.push(`${processes} processes`);
  if (options.reload) parts.push('reloading on change');
  if (options.python) parts.push(`Python ${options.python.app} loaded in ${loadSeconds.toFixed(1)} s`);
  return parts.join(', ');
}

/**
 * `--python`: the application is @tsgi/python's gateway, named by a module reference like any other. The
 * package is loaded only here, so JavaScript-only installs need neither it nor pyodide.
 */
async function pythonReference(python: PythonServeOptions): Promise<ModuleReference> {
  let pythonPackage: typeof import('@tsgi/python');
  try {
    pythonPackage = await import('@tsgi/python');
  } catch (error) {
    throw new Error(
      `tsgi serve --python needs the package @tsgi/python (npm install @tsgi/python): ${String(error)}`,
    );
  }
  try {
    return pythonPackage.pythonApplication(python.app, {
      ...(python.chdir === undefined ? {} : { chdir: python.chdir }),
      path: python.path,
    });
  } catch (error) {
    // A bad spec or a missing directory is a bad flag; a missing pyodide is not.
    const usage = error instanceof Error && !error.message.startsWith('pyodide is not installed');
    throw usage ? new ServeUsageError(error.message) : error;
  }
}

/**
 * A Python application that does not load fails with a one-line reason and, for a syntax error or a failing
 * import, its traceback: say the line, print the traceback after it.
 */
export function describeStartFailure(error: unknown): { message: string; detail?: string } {
  const text = error instanceof Error ? error.message : String(error);
  const marker = 'PythonLoadError: ';
  const at = text.indexOf(marker);
  if (at < 0) return { message: text };
  const [line = '', ...traceback] = text.slice(at + marker.length).split('\n');
  return traceback.length > 0 ? { message: line, detail: traceback.join('\n') } : { message: line };
}

function addressesOf(options: ServeOptions): readonly BindAddress[] {
  if (options.bind !== undefined && options.bind.length > 0) return options.bind;
  return [{ kind: 'tcp', host: options.host, port: options.port }];
}

/** The executor and container that serve one version of the application. */
interface Generation {
  readonly executor: Executor;
  readonly container: WSGIContainer;
}

function newGeneration(
  app: ModuleReference,
  options: ServeOptions,
  logger: Logger,
  processes: number,
): Generation {
  const executor: Executor =
    options.executor === 'thread'
      ? new ThreadPoolExecutor({
          maxWorkers: options.workers,
          resourceLimits: { maxOldGenerationSizeMb: Math.ceil(options.workerHeapLimit / 1024 / 1024) },
          ...(options.maxRequests
            ? {
                maxUnitsPerWorker: options.maxRequests,
                maxUnitsPerWorkerJitter: options.maxRequestsJitter ?? 0,
              }
            : {}),
        })
      : new InlineExecutor();
  try {
    const container = new WSGIContainer(app, {
      executor,
      logger,
      validate: options.validate,
      debug: options.debug,
      multiprocess: processes !== 1,
      ...(options.timeout > 0 ? { timeoutMs: options.timeout } : {}),
      bodyBufferSize: options.bodyBufferSize,
      ...(options.bodyTempDir === undefined ? {} : { bodyTempDirectory: options.bodyTempDir }),
      streamInput: options.streamInput,
      ...(options.serverSoftware === undefined ? {} : { serverSoftware: options.serverSoftware }),
    });
    return { executor, container };
  } catch (error) {
    void executor.close();
    throw error instanceof TypeError || error instanceof RangeError
      ? new ServeUsageError(error.message)
      : error;
  }
}

/**
 * Serves `options.app` until closed. With `processes` other than 1 (and with `--reload`, or `--max-requests` on
 * the inline executor) this process becomes the primary of a `node:cluster` and the workers (which run the same
 * command) serve.
 */
export async function serve(options: ServeOptions, logger: Logger = processLogger()): Promise<Serving> {
  const processes = options.processes === 0 ? availableParallelism() : options.processes;
  // Processes are what a reload replaces when threads cannot be: the inline executor's code lives in the process.
  const supervise =
    processes !== 1 ||
    options.reload === true ||
    (options.executor === 'inline' && (options.maxRequests ?? 0) > 0);
  const primary = supervise && cluster.isPrimary;
  const app = options.python ? await pythonReference(options.python) : options.app;
  if (primary && !options.python) {
    // The primary serves nothing itself, but a broken application should fail here, once, with its own message.
    // (A Python application is checked as far as it can be without loading an interpreter, above.)
    await importModuleExport(resolveModuleReference(app));
  }
  let current: Generation | undefined = primary ? undefined : newGeneration(app, options, logger, processes);
  // The server's target: whichever generation is current, so a reload swaps it under a running server.
  const target = {
    handleRequest: (request: HTTPServerRequest) => current!.container.handleRequest(request),
    ready: () => current?.container.ready() ?? Promise.resolve(),
    // HTTPServer.close() passes its deadline on: work still stuck then is ended and answered 503.
    close: (closeOptions: { timeoutMs?: number }) => current?.container.close(closeOptions),
  };
  let server: HTTPServer;
  try {
    server = new HTTPServer(target, httpServerOptions(options, logger));
  } catch (error) {
    await current?.executor.close();
    throw error instanceof TypeError || error instanceof RangeError
      ? new ServeUsageError(error.message)
      : error;
  }
  const addresses = addressesOf(options);
  for (const address of addresses) {
    if (address.kind === 'unix') server.bind(address.path);
    else server.bind(address.port, address.host);
  }
  const loadStarted = performance.now();
  try {
    await server.start(processes, {
      supervise,
      drainTimeoutMs: options.gracefulTimeout,
      ...(options.executor === 'inline' && options.maxRequests
        ? { maxRequests: options.maxRequests, maxRequestsJitter: options.maxRequestsJitter ?? 0 }
        : {}),
    });
  } catch (error) {
    await current?.executor.close();
    throw error;
  }
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  const scheme = server.options.protocol;
  // Port 0 picks a free port: say the one picked.
  const urls = server.addresses.map((listening, index) => {
    const asked = addresses[index];
    if (asked?.kind === 'unix' || listening.port === 0) return `unix:${listening.address}`;
    return describeBindAddress({ kind: 'tcp', host: listening.address, port: listening.port }, scheme);
  });
  if (cluster.isPrimary) {
    for (const url of urls) {
      console.log(
        `[${process.pid}] Listening at: ${url} (${describeExecutor(options, processes, loadSeconds)})`,
      );
    }
  } else {
    const loaded = options.python
      ? ` (Python ${options.python.app} loaded in ${loadSeconds.toFixed(1)} s)`
      : '';
    console.log(`[${process.pid}] Booting worker with pid: ${process.pid}${loaded}`);
    // The primary closes this worker's server and disconnects it; then the threads must go too.
    process.once('disconnect', () => void current?.executor.close());
  }

  const close = async () => {
    await server.close({ timeoutMs: options.gracefulTimeout });
    await current?.executor.close();
  };
  let reloading: Promise<void> | undefined;
  const reload = (): Promise<void> => {
    reloading ??= (async () => {
      try {
        if (primary) {
          await server.reloadProcesses({ timeoutMs: options.gracefulTimeout });
          return;
        }
        if (options.executor !== 'thread') {
          throw new Error(
            'reloading needs worker threads (--executor thread) or worker processes (--processes, --reload): ' +
              'the event loop cannot unload the modules it imported',
          );
        }
        const next = newGeneration(app, options, logger, processes);
        try {
          await next.container.ready();
        } catch (error) {
          await next.executor.close();
          throw error;
        }
        const previous = current!;
        current = next;
        // New requests go to the new threads; the old pool finishes what it runs (up to the graceful timeout,
        // then stuck work is ended), then ends its threads.
        await previous.container.close({ timeoutMs: options.gracefulTimeout });
      } finally {
        reloading = undefined;
      }
    })();
    return reloading;
  };
  return { url: urls[0]!, urls, supervisor: primary, close, reload };
}

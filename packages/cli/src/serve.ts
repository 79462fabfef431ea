/**
 * `tsgi serve`: wires an executor, a `WSGIContainer` and an `HTTPServer` from the parsed flags, listens and
 * prints where, like gunicorn. Signals are the executable's business (`cli.ts`).
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
import { HTTPServer, type HTTPServerOptions, type Logger } from '@tsgi/http-server';
import { processLogger } from './process-logger.js';
import type { PythonServeOptions, ServeOptions } from './serve-options.js';

/** The server was asked for something it refuses (a bad option value): a usage error, exit status 2. */
export class ServeUsageError extends Error {
  override readonly name = 'ServeUsageError';
}

/** A server `tsgi serve` started, and how to stop it. */
export interface Serving {
  readonly url: string;
  /** Drains requests in flight (up to the graceful timeout), then releases threads and sockets. */
  close(): Promise<void>;
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
    idleConnectionTimeout: options.idleConnectionTimeout,
    headersTimeout: options.headersTimeout,
    bodyTimeout: options.bodyTimeout,
    noKeepAlive: options.noKeepAlive,
    // The container logs each request itself (see processLogger); the server would log them twice.
    accessLog: false,
    logger,
  };
}

function describeExecutor(options: ServeOptions, processes: number, loadSeconds: number): string {
  const parts = [`executor: ${options.executor}`];
  if (options.executor === 'thread')
    parts.push(`${options.workers} worker${options.workers === 1 ? '' : 's'}`);
  if (processes !== 1) parts.push(`${processes} processes`);
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

function listeningURL(scheme: string, address: string, port: number): string {
  return `${scheme}://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/**
 * Serves `options.app` until SIGTERM or SIGINT. With `processes` other than 1 this process becomes the
 * primary of a `node:cluster` and the workers (which run the same command) serve.
 */
export async function serve(
  options: ServeOptions,
  logger: Logger = processLogger(options),
): Promise<Serving> {
  const processes = options.processes === 0 ? availableParallelism() : options.processes;
  const primaryOfSeveral = processes !== 1 && cluster.isPrimary;
  const app = options.python ? await pythonReference(options.python) : options.app;
  if (primaryOfSeveral && !options.python) {
    // The primary serves nothing itself, but a broken application should fail here, once, with its own message.
    // (A Python application is checked as far as it can be without loading an interpreter, above.)
    await importModuleExport(resolveModuleReference(app));
  }
  const executor: Executor | undefined = primaryOfSeveral
    ? undefined
    : options.executor === 'thread'
      ? new ThreadPoolExecutor({ maxWorkers: options.workers })
      : new InlineExecutor();
  let server: HTTPServer;
  try {
    const target = executor
      ? new WSGIContainer(app, {
          executor,
          logger,
          accessLog: options.accessLog,
          validate: options.validate,
          debug: options.debug,
          multiprocess: processes !== 1,
          ...(options.serverSoftware === undefined ? {} : { serverSoftware: options.serverSoftware }),
        })
      : () => undefined; // the primary's callback: never called, its workers do the serving
    server = new HTTPServer(target, httpServerOptions(options, logger));
  } catch (error) {
    await executor?.close();
    throw error instanceof TypeError || error instanceof RangeError
      ? new ServeUsageError(error.message)
      : error;
  }

  const close = async () => {
    await server.close({ timeoutMs: options.gracefulTimeout });
    await executor?.close();
  };
  server.bind(options.port, options.host);
  let address: Awaited<ReturnType<HTTPServer['start']>>;
  const loadStarted = performance.now();
  try {
    address = await server.start(processes);
  } catch (error) {
    await executor?.close();
    throw error;
  }
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  const url = listeningURL(server.options.protocol, address.address, address.port);
  if (cluster.isPrimary) {
    console.log(
      `[${process.pid}] Listening at: ${url} (${describeExecutor(options, processes, loadSeconds)})`,
    );
  } else {
    const loaded = options.python
      ? ` (Python ${options.python.app} loaded in ${loadSeconds.toFixed(1)} s)`
      : '';
    console.log(`[${process.pid}] Booting worker with pid: ${process.pid}${loaded}`);
    // The primary closes this worker's server and disconnects it; then the threads must go too.
    process.once('disconnect', () => void executor?.close());
  }
  return { url, close };
}

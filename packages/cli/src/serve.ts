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
  resolveModuleReference,
  ThreadPoolExecutor,
} from '@tsgi/executors';
import { HTTPServer, type HTTPServerOptions, type Logger } from '@tsgi/http-server';
import { processLogger } from './process-logger.js';
import type { ServeOptions } from './serve-options.js';

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
    limitRequestLine: options.limitRequestLine,
    limitRequestFields: options.limitRequestFields,
    limitRequestFieldSize: options.limitRequestFieldSize,
    idleConnectionTimeout: options.idleConnectionTimeout,
    headersTimeout: options.headersTimeout,
    bodyTimeout: options.bodyTimeout,
    sendTimeout: options.sendTimeout,
    noKeepAlive: options.noKeepAlive,
    // The container logs each request itself (see processLogger); the server would log them twice.
    accessLog: false,
    logger,
  };
}

function describeExecutor(options: ServeOptions, processes: number): string {
  const parts = [`executor: ${options.executor}`];
  if (options.executor === 'thread')
    parts.push(`${options.workers} worker${options.workers === 1 ? '' : 's'}`);
  if (processes !== 1) parts.push(`${processes} processes`);
  return parts.join(', ');
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
  if (primaryOfSeveral) {
    // The primary serves nothing itself, but a broken application should fail here, once, with its own message.
    await importModuleExport(resolveModuleReference(options.app));
  }
  const executor: Executor | undefined = primaryOfSeveral
    ? undefined
    : options.executor === 'thread'
      ? new ThreadPoolExecutor({
          maxWorkers: options.workers,
          resourceLimits: { maxOldGenerationSizeMb: Math.ceil(options.workerHeapLimit / 1024 / 1024) },
        })
      : new InlineExecutor();
  let server: HTTPServer;
  try {
    const target = executor
      ? new WSGIContainer(options.app, {
          executor,
          logger,
          accessLog: options.accessLog,
          validate: options.validate,
          debug: options.debug,
          multiprocess: processes !== 1,
          ...(options.timeout > 0 ? { timeoutMs: options.timeout } : {}),
          bodyBufferSize: options.bodyBufferSize,
          ...(options.bodyTempDir === undefined ? {} : { bodyTempDirectory: options.bodyTempDir }),
          streamInput: options.streamInput,
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
  try {
    address = await server.start(processes);
  } catch (error) {
    await executor?.close();
    throw error;
  }
  const url = listeningURL(server.options.protocol, address.address, address.port);
  if (cluster.isPrimary) {
    console.log(`[${process.pid}] Listening at: ${url} (${describeExecutor(options, processes)})`);
  } else {
    console.log(`[${process.pid}] Booting worker with pid: ${process.pid}`);
    // The primary closes this worker's server and disconnects it; then the threads must go too.
    process.once('disconnect', () => void executor?.close());
  }
  return { url, close };
}

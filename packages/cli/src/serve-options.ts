import type { BindAddress } from './bind-address.js';

/** A Python WSGI application (`--python`), served on Pyodide by `@tsgi/python`. */
export interface PythonServeOptions {
  /** `module:callable`, as gunicorn takes it. */
  readonly app: string;
  /** The working directory, first on `sys.path`; default the current directory. */
  readonly chdir?: string | undefined;
  /** More `sys.path` directories. */
  readonly path: readonly string[];
}

/** What `tsgi serve` was asked to do, once its flags are parsed and checked. */
export interface ServeOptions {
  /** The application's module reference: `./dist/app.js#app` (`#default` when no export is named). */
  readonly app: string;
  /** Serve this Python application instead of `app`. */
  readonly python?: PythonServeOptions | undefined;
  /** `--port` and `--host`: the one address listened on when `bind` is not given. */
  readonly port: number;
  readonly host: string;
  /** Every address to listen on (`--bind`); when given, `port` and `host` are not used. */
  readonly bind?: readonly BindAddress[] | undefined;
  /** Permission bits of Unix socket files (`--socket-mode 660`). */
  readonly socketMode?: number | undefined;
  /** Where the serving process writes its id (`--pid`). */
  readonly pid?: string | undefined;
  /** Replace a worker thread (or an inline process) after about this many requests; 0: never. */
  readonly maxRequests?: number;
  readonly maxRequestsJitter?: number;
  /** Watch the application's files and reload on change (development). */
  readonly reload?: boolean;
  /** Where the application runs: on worker threads, or on the event-loop thread. */
  readonly executor: 'thread' | 'inline';
  /** Worker threads per process (`--executor thread`). */
  readonly workers: number;
  /** Each worker thread's JavaScript heap limit in bytes (`0`: Node's own limit). */
  readonly workerHeapLimit: number;
  /** Server processes sharing the port; `0` starts one per CPU. */
  readonly processes: number;
  readonly xheaders: boolean;
  readonly trustedDownstream: readonly string[];
  readonly protocol?: 'http' | 'https' | undefined;
  readonly certfile?: string | undefined;
  readonly keyfile?: string | undefined;
  readonly decompressRequest: boolean;
  readonly maxBodySize: number;
  /** Request bodies up to this many bytes are buffered in memory before the app runs; larger ones in a file. */
  readonly bodyBufferSize: number;
  /** Where bodies larger than `bodyBufferSize` are kept (default: the system's temporary directory). */
  readonly bodyTempDir?: string | undefined;
  /** Thread executor: hand the body to the app as it arrives instead of reading it first. */
  readonly streamInput: boolean;
  readonly maxHeaderSize: number;
  /** `HTTPServer`'s `limitRequestLine`, `limitRequestFields` and `limitRequestFieldSize` (`0`: no limit). */
  readonly limitRequestLine: number;
  readonly limitRequestFields: number;
  readonly limitRequestFieldSize: number;
  readonly idleConnectionTimeout: number;
  readonly headersTimeout: number;
  readonly bodyTimeout: number;
  /** How long a response may wait for its client to read, in milliseconds; `0` disables it. */
  readonly sendTimeout: number;
  /** How long a request may run, in milliseconds, before it fails (a thread worker is replaced); `0` disables it. */
  readonly timeout: number;
  readonly noKeepAlive: boolean;
  /** Log successful requests too (4xx/5xx are always logged). */
  readonly accessLog: boolean;
  readonly accessLogFormat?: 'tornado' | 'combined' | 'json';
  readonly validate: boolean;
  readonly debug: boolean;
  readonly serverSoftware?: string | undefined;
  /** How long a shutdown waits for requests in flight before closing their connections, in milliseconds. */
  readonly gracefulTimeout: number;
}

/** What `tsgi serve` was asked to do, once its flags are parsed and checked. */
/** A Python WSGI application (`--python`), served on Pyodide by `@tsgi/python`. */
export interface PythonServeOptions {
  /** `module:callable`, as gunicorn takes it. */
  readonly app: string;
  /** The working directory, first on `sys.path`; default the current directory. */
  readonly chdir?: string | undefined;
  /** More `sys.path` directories. */
  readonly path: readonly string[];
}

export interface ServeOptions {
  /** The application's module reference: `./dist/app.js#app` (`#default` when no export is named). */
  readonly app: string;
  /** Serve this Python application instead of `app`. */
  readonly python?: PythonServeOptions | undefined;
  readonly port: number;
  readonly host: string;
  /** Where the application runs: on worker threads, or on the event-loop thread. */
  readonly executor: 'thread' | 'inline';
  /** Worker threads per process (`--executor thread`). */
  readonly workers: number;
  /** Server processes sharing the port; `0` starts one per CPU. */
  readonly processes: number;
  readonly xheaders: boolean;
  readonly trustedDownstream: readonly string[];
  readonly protocol?: 'http' | 'https' | undefined;
  readonly certfile?: string | undefined;
  readonly keyfile?: string | undefined;
  readonly decompressRequest: boolean;
  readonly maxBodySize: number;
  readonly maxHeaderSize: number;
  readonly idleConnectionTimeout: number;
  readonly headersTimeout: number;
  readonly bodyTimeout: number;
  readonly noKeepAlive: boolean;
  readonly accessLog: boolean;
  readonly validate: boolean;
  readonly debug: boolean;
  readonly serverSoftware?: string | undefined;
  /** How long a shutdown waits for requests in flight before closing their connections, in milliseconds. */
  readonly gracefulTimeout: number;
}

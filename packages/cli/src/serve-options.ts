/** What `tsgi serve` was asked to do, once its flags are parsed and checked. */
export interface ServeOptions {
  /** The application's module reference: `./dist/app.js#app` (`#default` when no export is named). */
  readonly app: string;
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
  /** `HTTPServer`'s `limitRequestLine`, `limitRequestFields` and `limitRequestFieldSize` (`0`: no limit). */
  readonly limitRequestLine: number;
  readonly limitRequestFields: number;
  readonly limitRequestFieldSize: number;
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

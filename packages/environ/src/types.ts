/**
 * The protocol's types: PEP 3333 ("WSGI") mapped to JavaScript.
 *
 * - A "WSGI string" is a JavaScript string whose every code unit is in U+0000..U+00FF: one code unit per byte
 *   (latin-1). CGI values in the environ, the status line and response headers are WSGI strings.
 * - Body bytes are `Uint8Array` (a Node `Buffer` is one). A `string` chunk is accepted and encoded as UTF-8.
 */

/** A piece of a response body. A string is encoded as UTF-8 (the validator warns about it). */
export type Chunk = Uint8Array | string;

/** What an application returns: any iterable of chunks, optionally with `close()` (always called once). */
export type ResponseIterable = Iterable<Chunk> & { close?(): void };

/** The `write()` callable that `startResponse` returns (PEP 3333's imperative output, kept for legacy apps). */
export type WriteCallable = (chunk: Chunk) => void;

/**
 * `startResponse(status, headers, excInfo?)`.
 * - `status` is `"NNN Reason"`; `headers` is a list of `[name, value]` pairs.
 * - `excInfo` is the thrown value the application caught: before anything was sent it replaces the pending
 *   status and headers; after the headers were sent it is re-thrown.
 */
export type StartResponse = (
  status: string,
  headers: ReadonlyArray<readonly [string, string]>,
  excInfo?: unknown,
) => WriteCallable;

/** A gateway application: `(environ, startResponse) => Iterable<chunk>`. It runs synchronously. */
export type WSGIApplication = (environ: Environ, startResponse: StartResponse) => ResponseIterable;

/** `wsgi.input`: the request body, read synchronously (it may block on a worker thread). */
export interface InputStream extends Iterable<Uint8Array> {
  /** Reads up to `size` bytes; with no size (or a negative one) reads the rest. Returns an empty array at EOF. */
  read(size?: number | null): Uint8Array;
  /** Reads one line, including its `\n`, of at most `size` bytes. Returns an empty array at EOF. */
  readline(size?: number | null): Uint8Array;
  /** Reads lines until EOF, or until their total size reaches `hint`. */
  readlines(hint?: number | null): Uint8Array[];
  /** Reads up to `target.length` bytes into `target`, like `read(target.length)` without allocating; returns how many. */
  readInto?(target: Uint8Array): number;
}

/** `wsgi.errors`: a text stream for error output; the container routes it to its logger. */
export interface ErrorStream {
  write(text: string): void;
  writelines(lines: Iterable<string>): void;
  flush(): void;
}

/**
 * The environ's plain values: everything but the live streams `wsgi.input` and `wsgi.errors`. It can be
 * structured-cloned (sent to a worker thread), which is what `environVariables()` returns.
 */
export interface EnvironVariables {
  REQUEST_METHOD: string;
  SCRIPT_NAME: string;
  PATH_INFO: string;
  QUERY_STRING: string;
  CONTENT_TYPE?: string;
  CONTENT_LENGTH?: string;
  SERVER_NAME: string;
  SERVER_PORT: string;
  SERVER_PROTOCOL: string;
  SERVER_SOFTWARE?: string;
  REMOTE_ADDR?: string;
  REMOTE_PORT?: string;
  REQUEST_URI?: string;
  RAW_URI?: string;
  HTTPS?: string;
  'wsgi.version': readonly [1, 0];
  'wsgi.url_scheme': string;
  'wsgi.multithread': boolean;
  'wsgi.multiprocess': boolean;
  'wsgi.run_once': boolean;
  'wsgi.input_terminated'?: boolean;
  [key: `HTTP_${string}`]: string | undefined;
  [key: string]: unknown;
}

/**
 * The environ dictionary (PEP 3333 "environ Variables").
 * CGI keys hold WSGI strings; `HTTP_*` keys carry request headers; other keys (server extensions) are `unknown`.
 */
export interface Environ extends EnvironVariables {
  'wsgi.input': InputStream;
  'wsgi.errors': ErrorStream;
}

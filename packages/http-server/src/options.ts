import type { ServerOptions as TLSServerOptions } from 'node:https';
import type { AccessLogEntry, AccessLogOptions, Logger } from '@tsgi/protocol';

/**
 * `HTTPServer` options: Tornado's `HTTPServer` keyword arguments in camelCase, with safer defaults. Durations are
 * milliseconds (Tornado uses seconds).
 */
export interface HTTPServerOptions {
  /**
   * Honour `X-Forwarded-For` / `X-Real-Ip` (client address) and `X-Scheme` / `X-Forwarded-Proto` (scheme, `http` or
   * `https` only) — but only when the socket peer is in `trustedDownstream`. Default `false`.
   */
  xheaders?: boolean;
  /**
   * Proxy addresses or CIDR blocks (IPv4 and IPv6) whose proxy headers are believed; also the hops skipped when
   * walking `X-Forwarded-For` from the right. Peers on a Unix socket are trusted. Default `['127.0.0.1', '::1']`.
   */
  trustedDownstream?: readonly string[];
  /** Forces `request.protocol`. Default `'https'` when `tls` is given, else `'http'`. */
  protocol?: 'http' | 'https';
  /** TLS options exactly as `node:https.createServer` takes them (`key`, `cert`, `ca`, …). Default none (plain HTTP). */
  tls?: TLSServerOptions;
  /**
   * Gunzip request bodies sent with `Content-Encoding: gzip`. The decompressed body is buffered (bounded by
   * `maxBodySize`) into `request.body` / `request.bodyLength`, and the header is renamed
   * `X-Consumed-Content-Encoding`, so `CONTENT_LENGTH` describes what the application reads. Default `false`.
   */
  decompressRequest?: boolean;
  /**
   * The largest request body, in bytes, after de-chunking and decompression. A larger `Content-Length` gets `413`
   * before anything is read; a chunked or gzip body is counted as it arrives. Default `104857600` (100 MiB, Tornado's).
   */
  maxBodySize?: number;
  /** The largest request header block, in bytes; larger gets `431`. Default `65536` (Tornado's). */
  maxHeaderSize?: number;
  /**
   * The longest request line (method, target and version), in bytes; longer gets `414`. `0`: no limit of its own
   * (`maxHeaderSize` still bounds it). Default `8190`: RFC 9112 §3 recommends accepting at least 8000 octets, and
   * nginx in front passes lines up to its 8 KiB buffer (gunicorn's 4094 refuses URLs that proxy accepted).
   */
  limitRequestLine?: number;
  /**
   * The most header fields a request (and, separately, its trailer section) may have; more gets `431`. `0`: no
   * limit. Default `100`, gunicorn's and Apache's: a browser sends about 20, and each field costs parsing and
   * environ time on the event loop.
   */
  limitRequestFields?: number;
  /**
   * The largest single header or trailer field (name, `: ` and value), in bytes; larger gets `431`. `0`: no
   * limit. Default `8190`, gunicorn's and Apache's (nginx's 8 KiB buffer): one field is never the whole block.
   */
  limitRequestFieldSize?: number;
  /** How long a keep-alive connection may sit idle between requests (node's `keepAliveTimeout`). Default `72000`. */
  idleConnectionTimeout?: number;
  /** How long a client may take to send a request's headers; then `408` and close. Default `60000`. */
  headersTimeout?: number;
  /**
   * How long a client may take to send a whole request, headers and body (node's `requestTimeout`); then `408`
   * (or a close, when a response has started). `0` disables it. Default `300000`.
   */
  bodyTimeout?: number;
  /**
   * How long a response may wait for the client to read (no progress: the socket stays full); then the connection
   * is closed, the response's writes reject and its handler stops (a gateway application's `close()` runs, its
   * worker is freed). Like nginx's `send_timeout`, it is measured between two successful writes, not over the whole
   * response, so a slow but steady download is never cut. `0` disables it. Default `60000` (nginx's).
   */
  sendTimeout?: number;
  /** Close the connection after every response (`Connection: close`). Default `false`. */
  noKeepAlive?: boolean;
  /** Read size for request bodies, in bytes (socket and decompression buffer size). Default `65536`. */
  chunkSize?: number;
  /** Permission bits of the Unix socket files the server listens on (e.g. `0o660`). Default: what the umask leaves. */
  unixSocketMode?: number;
  /** Where errors, rejected requests and access-log lines go. Default `console`. */
  logger?: Logger;
  /**
   * The access log, one line per request, for every request the server answers (refusals, native handlers and
   * mounted gateway containers alike: a container under a server that logs does not log the request again).
   * `true` writes the `tornado` line to `logger` at `info` below 400, `warn` below 500 and `error` above;
   * an object chooses the format (`tornado`, `combined`, `json`), structured fields for pino-like loggers, and
   * whether successes are logged; a function receives each entry instead. Default `false` (then a mounted
   * container logs its own requests).
   */
  accessLog?: boolean | AccessLogOptions | ((entry: AccessLogEntry) => void);
}

/** The options with every default filled in. */
export interface ResolvedOptions {
  xheaders: boolean;
  trustedDownstream: readonly string[];
  protocol: 'http' | 'https';
  tls: TLSServerOptions | undefined;
  decompressRequest: boolean;
  maxBodySize: number;
  maxHeaderSize: number;
  limitRequestLine: number;
  limitRequestFields: number;
  limitRequestFieldSize: number;
  idleConnectionTimeout: number;
  headersTimeout: number;
  bodyTimeout: number;
  sendTimeout: number;
  noKeepAlive: boolean;
  chunkSize: number;
  unixSocketMode: number | undefined;
  logger: Logger;
  accessLog: boolean | AccessLogOptions | ((entry: AccessLogEntry) => void);
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a non-negative number`);
  return value;
}

function count(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative integer`);
  return value;
}

export function resolveOptions(options: HTTPServerOptions = {}): ResolvedOptions {
  return {
    xheaders: options.xheaders ?? false,
    trustedDownstream: options.trustedDownstream ?? ['127.0.0.1', '::1'],
    protocol: options.protocol ?? (options.tls === undefined ? 'http' : 'https'),
    tls: options.tls,
    decompressRequest: options.decompressRequest ?? false,
    maxBodySize: nonNegative('maxBodySize', options.maxBodySize, 100 * 1024 * 1024),
    maxHeaderSize: nonNegative('maxHeaderSize', options.maxHeaderSize, 65536),
    limitRequestLine: count('limitRequestLine', options.limitRequestLine, 8190),
    limitRequestFields: count('limitRequestFields', options.limitRequestFields, 100),
    limitRequestFieldSize: count('limitRequestFieldSize', options.limitRequestFieldSize, 8190),
    idleConnectionTimeout: nonNegative('idleConnectionTimeout', options.idleConnectionTimeout, 72_000),
    headersTimeout: nonNegative('headersTimeout', options.headersTimeout, 60_000),
    bodyTimeout: nonNegative('bodyTimeout', options.bodyTimeout, 300_000),
    sendTimeout: nonNegative('sendTimeout', options.sendTimeout, 60_000),
    noKeepAlive: options.noKeepAlive ?? false,
    chunkSize: nonNegative('chunkSize', options.chunkSize, 65536) || 65536,
    unixSocketMode: options.unixSocketMode,
    logger: options.logger ?? console,
    accessLog: options.accessLog ?? false,
  };
}

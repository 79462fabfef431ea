import type { Logger } from './logger.js';

/** One finished (or aborted) request, as the access log sees it. */
export interface AccessLogEntry {
  /** When the request arrived. */
  time: Date;
  /** The status sent; `0` when the connection was aborted before a status went out. */
  status: number;
  method: string;
  /** The raw request target. */
  uri: string;
  /** `"HTTP/1.1"` or `"HTTP/1.0"`. */
  version: string;
  remoteIp: string;
  /** From the request's arrival to the end of its response. */
  durationMs: number;
  /** Response body bytes sent (headers not counted, as in Apache's `%b`). */
  bytes: number;
  /** The `User-Agent` header, or `""`. */
  userAgent: string;
  /** The `Referer` header, or `""`. */
  referer: string;
}

/**
 * - `tornado` (the default): Tornado's line with the time in front and the size and user agent behind it,
 *   `2025-06-01T12:00:00.000Z 200 GET /a?x=1 (127.0.0.1) 1.23ms 512B "curl/8.5.0"` — what follows the time is
 *   Tornado's own `200 GET /a?x=1 (127.0.0.1) 1.23ms`, so tools reading Tornado's line still find it.
 * - `combined`: Apache/nginx's combined log format, for log tools that expect it.
 * - `json`: one JSON object per line with the entry's fields (`time` as ISO 8601).
 */
export type AccessLogFormat = 'tornado' | 'combined' | 'json';

/** `HTTPServerOptions.accessLog` as an object. */
export interface AccessLogOptions {
  /** The line's format, or a function that formats one. Default `'tornado'`. */
  format?: AccessLogFormat | ((entry: AccessLogEntry) => string);
  /** Log responses below 400 too; `false` keeps only 4xx, 5xx and aborted ones (and builds no other entry). */
  successes?: boolean;
  /**
   * Call the logger with the entry as structured fields, pino's way: `logger.info(entry, line)`. Default `false`
   * (`logger.info(line)`).
   */
  fields?: boolean;
  /** Where lines go instead of the logger (e.g. a file stream). */
  write?: (line: string, entry: AccessLogEntry) => void;
}

/** Tornado's request summary: `GET /a?x=1 (127.0.0.1)`. */
export function requestSummary(request: {
  readonly method: string;
  readonly uri: string;
  readonly remoteIp: string;
}): string {
  return `${request.method} ${request.uri} (${request.remoteIp})`;
}

/** Tornado's own access line, `200 GET /a?x=1 (127.0.0.1) 1.23ms`: what every tsgi access line contains. */
export function tornadoAccessLine(
  status: number,
  method: string,
  uri: string,
  remoteIp: string,
  durationMs: number,
): string {
  return `${status} ${method} ${uri} (${remoteIp}) ${durationMs.toFixed(2)}ms`;
}

/**
 * Logs Tornado's own line for a request answered `code` (`startedAt` from `performance.now()`), at Tornado's
 * level: what a container writes when no server keeps the access log. With `successes` false a response below
 * 400 is not logged, and its line is never built.
 */
export function logTornadoAccess(
  logger: Logger,
  code: number,
  request: { readonly method: string; readonly uri: string; readonly remoteIp: string },
  startedAt: number,
  successes = true,
): void {
  if (code < 400 && !successes) return;
  const line = tornadoAccessLine(
    code,
    request.method,
    request.uri,
    request.remoteIp,
    performance.now() - startedAt,
  );
  logger[accessLogLevel(code)](line);
}

/** Tornado's levels: info below 400, warn below 500, error for 5xx and for aborted responses (status 0). */
export function accessLogLevel(status: number): 'info' | 'warn' | 'error' {
  return status !== 0 && status < 400 ? 'info' : status !== 0 && status < 500 ? 'warn' : 'error';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (value: number) => String(value).padStart(2, '0');

/** A header value in a quoted log field: quotes and backslashes escaped, control bytes as `\xNN`. */
function quoted(value: string): string {
  return value.replace(/["\\\x00-\x1f\x7f]/g, (character) =>
    character === '"' || character === '\\'
      ? `\\${character}`
      : `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/** `10/Oct/2000:13:55:36 +0000` (always UTC). */
function commonLogTime(time: Date): string {
  return (
    `${two(time.getUTCDate())}/${MONTHS[time.getUTCMonth()]}/${time.getUTCFullYear()}:` +
    `${two(time.getUTCHours())}:${two(time.getUTCMinutes())}:${two(time.getUTCSeconds())} +0000`
  );
}

/** Formats one entry as a log line in `format`. */
export function formatAccessLog(entry: AccessLogEntry, format: AccessLogFormat = 'tornado'): string {
  switch (format) {
    case 'combined':
      return (
        `${entry.remoteIp} - - [${commonLogTime(entry.time)}] "${quoted(`${entry.method} ${entry.uri} ${entry.version}`)}" ` +
        `${entry.status} ${entry.bytes === 0 ? '-' : entry.bytes} "${quoted(entry.referer || '-')}" "${quoted(entry.userAgent || '-')}"`
      );
    case 'json':
      return JSON.stringify({ ...entry, durationMs: Math.round(entry.durationMs * 100) / 100 });
    default:
      return (
        `${entry.time.toISOString()} ${tornadoAccessLine(entry.status, entry.method, entry.uri, entry.remoteIp, entry.durationMs)} ` +
        `${entry.bytes}B "${quoted(entry.userAgent || '-')}"`
      );
  }
}

/** pino's call shape: `logger.info(mergingObject, message)`. */
type StructuredLogger = Record<'info' | 'warn' | 'error', (fields: AccessLogEntry, message: string) => void>;

/** What the connection needs to log one request: resolved once per server. */
export interface AccessLog {
  readonly successes: boolean;
  log(entry: AccessLogEntry): void;
}

/** Resolves the `accessLog` option; `undefined` when the server logs no requests. */
export function accessLog(
  option: boolean | AccessLogOptions | ((entry: AccessLogEntry) => void),
  logger: Logger,
): AccessLog | undefined {
  if (option === false) return undefined;
  if (typeof option === 'function') return { successes: true, log: option };
  const settings = option === true ? {} : option;
  const format = settings.format ?? 'tornado';
  const toLine =
    typeof format === 'function' ? format : (entry: AccessLogEntry) => formatAccessLog(entry, format);
  const { write, fields = false } = settings;
  return {
    successes: settings.successes ?? true,
    log(entry) {
      const line = toLine(entry);
      if (write !== undefined) {
        write(line, entry);
        return;
      }
      const level = accessLogLevel(entry.status);
      if (fields) (logger as unknown as StructuredLogger)[level](entry, line);
      else logger[level](line);
    },
  };
}

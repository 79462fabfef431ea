import {
  type Environ,
  headerName,
  type InputStream,
  quoteWsgiString,
  unquoteToWsgiString,
} from '@tsgi/environ';
import { HTTPHeaders, parseCookies } from '@tsgi/http-server';
import { defaultServerName, joinChunks, splitTarget } from '@tsgi/protocol';
import { CollectingConnection } from './collecting-connection.js';

const HOST_AND_PORT = /^(.+):(\d+)$/;
/** Cookie pairs are separated by `;`, and by the `,` a gateway server used to join repeated `Cookie` headers. */
const COOKIE_SEPARATOR = /;|,(?=\s*[^\s=;,]+=)/;
const EMPTY_BODY = new Uint8Array(0);

/**
 * Tornado's `tornado.wsgi.HTTPRequest`: an `HTTPServerRequest`-like request built from a gateway environ, so
 * native handlers (and `RuleRouter` matchers) run unchanged under any gateway server. Values stay WSGI strings
 * (one code unit per byte), as on `HTTPServerRequest`.
 *
 * What it does not have: `incoming` (there is no node request), `bodyStream` (the body is read synchronously
 * from `wsgi.input` on first use of `body`), `framingError` and `contentEncoding` (the gateway server decoded
 * the body). Its `connection` collects the response in memory.
 */
export class HTTPRequest {
  /** The environ this request was built from. */
  readonly environ: Environ;
  readonly method: string;
  /**
   * The request target: the server's raw one (`RAW_URI`/`REQUEST_URI`) when it agrees with `SCRIPT_NAME`,
   * `PATH_INFO` and `QUERY_STRING`, otherwise rebuilt from them, percent-encoding the path's bytes.
   */
  readonly uri: string;
  /** The target's path (from the root, `SCRIPT_NAME` included), raw: percent-escapes are kept as sent. */
  readonly path: string;
  /** The raw query string, `""` when there is none. */
  readonly query: string;
  /** `SERVER_PROTOCOL`: `"HTTP/1.1"` or `"HTTP/1.0"`. */
  readonly version: string;
  /**
   * The headers the environ carries, flat `[name, value, …]` in canonical case (`Content-Type`, `X-Forwarded-For`).
   * Repeated headers arrive joined with `,` in one line; headers the server dropped (with `_`) are absent.
   */
  readonly rawHeaders: readonly string[];
  /** `REMOTE_ADDR`, or `"0.0.0.0"` when the server sets none. */
  readonly remoteIp: string;
  readonly remotePort: number | undefined;
  /** There is no local address in an environ, only `SERVER_NAME`. */
  readonly serverIp: undefined = undefined;
  readonly serverPort: number | undefined;
  /** `wsgi.url_scheme`. */
  readonly protocol: string;
  /** `HTTP_HOST`, or `SERVER_NAME` (with `SERVER_PORT` unless it is the scheme's default). */
  readonly host: string;
  /** Set by a router's `mount` (on a derived request), as on `HTTPServerRequest`. */
  readonly scriptName: string | undefined = undefined;
  /** Collects what the handler writes (see `CollectingConnection`). */
  readonly connection: CollectingConnection;

  // TypeScript-private, not `#`: a router's mount derives a request with `Object.create(request)`, and `#` fields
  // cannot be read through a derived object.
  private readonly startTime = performance.now();
  private finishTime = -1;
  private cachedBody: Uint8Array | undefined = undefined;
  private cachedHeaders: HTTPHeaders | undefined = undefined;
  private cachedCookies: Record<string, string> | undefined = undefined;

  private constructor(environ: Environ) {
    this.environ = environ;
    this.method = stringValue(environ.REQUEST_METHOD) || 'GET';
    this.version = stringValue(environ.SERVER_PROTOCOL) || 'HTTP/1.0';
    this.protocol = stringValue(environ['wsgi.url_scheme']) || 'http';
    this.remoteIp = stringValue(environ.REMOTE_ADDR) || '0.0.0.0';
    this.remotePort = portNumber(environ.REMOTE_PORT);
    this.serverPort = portNumber(environ.SERVER_PORT);
    this.query = stringValue(environ.QUERY_STRING);
    const { uri, path } = requestTarget(environ, this.query);
    this.uri = uri;
    this.path = path;
    this.rawHeaders = environHeaders(environ);
    this.host = stringValue(environ.HTTP_HOST) || serverAuthority(environ, this.protocol);
    this.connection = new CollectingConnection();
    this.connection.onFinish = () => {
      if (this.finishTime < 0) this.finishTime = performance.now();
    };
  }

  /** Builds the request for `environ` (Tornado's `HTTPRequest(environ)`). The environ is only read. */
  static fromEnviron(environ: Environ): HTTPRequest {
    return new HTTPRequest(environ);
  }

  /** The headers as Tornado's `HTTPHeaders` multi-dict (case-insensitive). */
  get headers(): HTTPHeaders {
    this.cachedHeaders ??= new HTTPHeaders(this.rawHeaders);
    return this.cachedHeaders;
  }

  /**
   * The body, read from `wsgi.input` on first use: `CONTENT_LENGTH` bytes, or everything up to the end when the
   * server sets `wsgi.input_terminated` and no length; otherwise (PEP 3333: no length, no body) empty.
   */
  get body(): Uint8Array {
    this.cachedBody ??= readInput(this.environ);
    return this.cachedBody;
  }

  /** The body's length (read from `wsgi.input` first). */
  get bodyLength(): number {
    return this.body.length;
  }

  /** The body, for handlers written for `HTTPServerRequest.readBody()`. Awaiting it makes a handler asynchronous. */
  readBody(): Promise<Uint8Array> {
    return Promise.resolve(this.body);
  }

  /** The host without its port, lower-cased; an IPv6 literal keeps its brackets. */
  get hostName(): string {
    const host = this.host.toLowerCase();
    const match = HOST_AND_PORT.exec(host);
    return match === null ? host : match[1]!;
  }

  /** Cookies from `HTTP_COOKIE` (last one wins for a repeated name); surrounding quotes removed. */
  get cookies(): Readonly<Record<string, string>> {
    if (this.cachedCookies === undefined) {
      const cookies = parseCookies(stringValue(this.environ.HTTP_COOKIE), undefined, COOKIE_SEPARATOR);
      this.cachedCookies = cookies;
    }
    return this.cachedCookies;
  }

  supportsHttp11(): boolean {
    return this.version === 'HTTP/1.1';
  }

  /** The full URL: `protocol://host` and the target (an absolute-form target is returned as sent). */
  fullUrl(): string {
    if (splitTarget(this.uri).form === 'absolute') return this.uri;
    return `${this.protocol}://${this.host}${this.uri}`;
  }

  /** Seconds from this request's creation until its response finished (or until now). */
  requestTime(): number {
    return ((this.finishTime >= 0 ? this.finishTime : performance.now()) - this.startTime) / 1000;
  }
}

function stringValue(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function portNumber(value: unknown): number | undefined {
  const port = Number(stringValue(value) || Number.NaN);
  return Number.isInteger(port) ? port : undefined;
}

function serverAuthority(environ: Environ, protocol: string): string {
  const name = stringValue(environ.SERVER_NAME) || defaultServerName;
  const port = stringValue(environ.SERVER_PORT);
  const standard = (protocol === 'https' && port === '443') || (protocol === 'http' && port === '80');
  return port === '' || standard ? name : `${name}:${port}`;
}

function requestTarget(environ: Environ, query: string): { uri: string; path: string } {
  const decodedPath = stringValue(environ.SCRIPT_NAME) + stringValue(environ.PATH_INFO);
  // Middleware may have rewritten SCRIPT_NAME/PATH_INFO: the raw target is trusted only while it still agrees.
  for (const key of ['RAW_URI', 'REQUEST_URI']) {
    const raw = environ[key];
    if (typeof raw !== 'string' || raw === '') continue;
    if (raw === '*' && decodedPath === '') return { uri: raw, path: raw };
    const split = splitTarget(raw);
    if (split.query === query && unquoteToWsgiString(split.path) === decodedPath) {
      return { uri: raw, path: split.path };
    }
  }
  const path = quoteWsgiString(decodedPath) || '/';
  return { uri: query === '' ? path : `${path}?${query}`, path };
}

/** The request headers an environ carries, rebuilt from `CONTENT_TYPE`, `CONTENT_LENGTH` and `HTTP_*`. */
function environHeaders(environ: Environ): string[] {
  const raw: string[] = [];
  for (const key of Object.keys(environ)) {
    const value = environ[key];
    if (typeof value !== 'string') continue;
    const name = headerName(key);
    if (name === undefined) continue;
    // Some servers set CONTENT_TYPE and CONTENT_LENGTH to "" when the request had none.
    if (value === '' && !key.startsWith('HTTP_')) continue;
    raw.push(name, value);
  }
  return raw;
}

function readInput(environ: Environ): Uint8Array {
  const input = environ['wsgi.input'] as InputStream | undefined;
  if (input === undefined) return EMPTY_BODY;
  const declared = stringValue(environ.CONTENT_LENGTH).trim();
  if (declared === '') return environ['wsgi.input_terminated'] === true ? input.read() : EMPTY_BODY;
  const length = Number(declared);
  if (!Number.isSafeInteger(length) || length <= 0) return EMPTY_BODY;
  // PEP 3333 allows a server's read(n) to return fewer bytes than asked: read until the length or the end.
  const first = input.read(length);
  if (first.length === length || first.length === 0) return first;
  const parts = [first];
  let total = first.length;
  while (total < length) {
    const part = input.read(length - total);
    if (part.length === 0) break;
    parts.push(part);
    total += part.length;
  }
  return joinChunks(parts, total, Buffer.allocUnsafe);
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ContainerRequest, joinChunks, splitTarget } from '@tsgi/protocol';
import { collectBody, readBodyStream } from './body.js';
import { HTTPConnection } from './connection.js';
import { parseCookies } from './cookies.js';
import { HTTPInputError } from './errors.js';
import { HTTPHeaders } from './http-headers.js';
import type { ServerState } from './server-state.js';
import { forwardedProtocol, forwardedRemoteIp } from './trusted-downstream.js';

/** The body of every request that has none: shared, never written to. */
const EMPTY_BODY = new Uint8Array(0);
const HOST_AND_PORT = /^(.+):(\d+)$/;

/**
 * One HTTP request (Tornado's `HTTPServerRequest`). It implements the `ContainerRequest` seam of
 * `@tsgi/protocol` (a `GatewayRequest` with its `HTTPConnection`).
 *
 * Construction only copies what node already parsed; everything derived (`headers`, `path`, `query`, `cookies`,
 * `host`, the proxy-aware `remoteIp`/`protocol`) is computed on first read and cached.
 */
export class HTTPServerRequest implements ContainerRequest {
  /** The method token exactly as sent. */
  readonly method: string;
  /** The raw request target, one code unit per byte. */
  readonly uri: string;
  /** `"HTTP/1.1"` or `"HTTP/1.0"`. */
  readonly version: string;
  /**
   * Header lines as received, flattened `[name, value, …]`. With `decompressRequest`, a consumed
   * `Content-Encoding: gzip` appears as `X-Consumed-Content-Encoding`.
   */
  rawHeaders: readonly string[];
  /**
   * The whole body when it is buffered: always for a request without one (a shared empty array), after
   * `readBody()`, and with `decompressRequest` for gzip bodies. Otherwise read `bodyStream`.
   */
  body: Uint8Array | undefined;
  /** The body's decoded length when known (Content-Length, or once buffered); `undefined` for a chunked stream. */
  bodyLength: number | undefined;
  /** The raw path prefix a router mounted the target under (becomes `SCRIPT_NAME`). */
  readonly scriptName: string | undefined;
  /** Where the response goes. */
  readonly connection: HTTPConnection;
  /** Node's request object, for what this class does not cover. */
  readonly incoming: IncomingMessage;
  /** Why the request must be refused before it reaches the application, if it must. */
  readonly framingError: HTTPInputError | undefined;
  /** The `Content-Encoding` header, when the server must decompress the body. */
  readonly contentEncoding: string | undefined;

  private readonly state: ServerState;
  private readonly startTime: number;
  private finishTime: number;
  private cachedHeaders: HTTPHeaders | undefined;
  private cachedPath: string | undefined;
  private cachedQuery: string | undefined;
  private cachedCookies: Record<string, string> | undefined;
  private cachedHost: string | undefined;
  private cachedRemoteIp: string | undefined;
  private cachedProtocol: string | undefined;
  private cachedBodyStream: AsyncIterable<Uint8Array> | undefined;
  private cachedBodyRead: Promise<Uint8Array> | undefined;

  constructor(
    incoming: IncomingMessage,
    response: ServerResponse,
    state: ServerState,
    expectContinue: boolean,
  ) {
    this.method = incoming.method!;
    this.uri = incoming.url!;
    this.version = incoming.httpVersionMinor === 0 ? 'HTTP/1.0' : 'HTTP/1.1';
    const rawHeaders = incoming.rawHeaders;
    this.rawHeaders = rawHeaders;
    this.scriptName = undefined;
    this.incoming = incoming;
    this.state = state;
    this.startTime = performance.now();
    this.finishTime = -1;
    this.cachedHeaders = undefined;
    this.cachedPath = undefined;
    this.cachedQuery = undefined;
    this.cachedCookies = undefined;
    this.cachedHost = undefined;
    this.cachedRemoteIp = undefined;
    this.cachedProtocol = undefined;
    this.cachedBodyStream = undefined;
    this.cachedBodyRead = undefined;

    // One pass over the header names, checking only the few that decide framing, and each field's size. Node's
    // parser already refused malformed, duplicate or signed Content-Length and Content-Length beside
    // Transfer-Encoding.
    const options = state.options;
    const limitFieldSize = options.limitRequestFieldSize;
    let oversizedField: string | undefined;
    let hosts = 0;
    let contentLength: string | undefined;
    let transferEncoding: string | undefined;
    let contentEncoding: string | undefined;
    for (let index = 0; index < rawHeaders.length; index += 2) {
      const name = rawHeaders[index]!;
      const length = name.length;
      if (limitFieldSize > 0 && length + 2 + rawHeaders[index + 1]!.length > limitFieldSize) {
        oversizedField ??= name;
      }
      if (length === 4) {
        if (name.toLowerCase() === 'host') hosts++;
      } else if (length === 14) {
        if (name.toLowerCase() === 'content-length') contentLength = rawHeaders[index + 1];
      } else if (length === 17) {
        if (name.toLowerCase() === 'transfer-encoding') {
          // Repeated lines form one list (`gzip` + `chunked` is `gzip, chunked`): the last alone must not decide.
          const value = rawHeaders[index + 1]!;
          transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
        }
      } else if (length === 16 && options.decompressRequest) {
        if (name.toLowerCase() === 'content-encoding') contentEncoding = rawHeaders[index + 1];
      }
    }
    let framingError: HTTPInputError | undefined;
    let body: Uint8Array | undefined;
    let bodyLength: number | undefined;
    if (
      options.limitRequestLine > 0 &&
      this.method.length + this.uri.length + 10 > options.limitRequestLine
    ) {
      // The line as sent: method, SP, target, SP, `HTTP/1.x` (10 bytes besides the method and target).
      framingError = new HTTPInputError(
        414,
        `request line over ${options.limitRequestLine} bytes (limitRequestLine)`,
      );
    } else if (options.limitRequestFields > 0 && rawHeaders.length > 2 * options.limitRequestFields) {
      // Node collects one field past the limit (see HTTPServer), so a longer list means the limit was passed.
      framingError = new HTTPInputError(
        431,
        `more than ${options.limitRequestFields} header fields (limitRequestFields)`,
      );
    } else if (oversizedField !== undefined) {
      framingError = new HTTPInputError(
        431,
        `header field ${oversizedField} is over ${limitFieldSize} bytes (limitRequestFieldSize)`,
      );
    } else if (incoming.httpVersionMajor !== 1) {
      framingError = new HTTPInputError(400, `unsupported HTTP version ${incoming.httpVersion}`);
    } else if (hosts > 1) {
      framingError = new HTTPInputError(400, 'duplicate Host header');
    } else if (hosts === 0 && incoming.httpVersionMinor === 1) {
      framingError = new HTTPInputError(400, 'missing Host header (required by HTTP/1.1)');
    } else if (transferEncoding !== undefined) {
      if (incoming.httpVersionMinor === 0) {
        // RFC 9112 §6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing, even with a Content-Length:
        // a proxy that speaks HTTP/1.0 may have framed it differently.
        framingError = new HTTPInputError(400, 'Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1)');
      } else if (transferEncoding.trim().toLowerCase() !== 'chunked') {
        framingError = new HTTPInputError(
          400,
          `unsupported Transfer-Encoding ${JSON.stringify(transferEncoding)}`,
        );
      }
    } else if (contentLength !== undefined) {
      bodyLength = Number(contentLength);
      if (bodyLength === 0) body = EMPTY_BODY;
      else if (bodyLength > options.maxBodySize) {
        framingError = new HTTPInputError(413, `Content-Length ${bodyLength} exceeds maxBodySize`);
      }
    } else {
      body = EMPTY_BODY;
      bodyLength = 0;
    }
    this.body = body;
    this.bodyLength = bodyLength;
    this.framingError = framingError;
    this.contentEncoding =
      contentEncoding !== undefined && body === undefined && contentEncoding.trim().toLowerCase() === 'gzip'
        ? contentEncoding
        : undefined;
    this.connection = new HTTPConnection(this, response, state, expectContinue);
  }

  /** The headers as Tornado's `HTTPHeaders` multi-dict. */
  get headers(): HTTPHeaders {
    this.cachedHeaders ??= new HTTPHeaders(this.rawHeaders);
    return this.cachedHeaders;
  }

  /** The request target's path: no query, no fragment, and for an absolute-form target no scheme or authority. */
  get path(): string {
    if (this.cachedPath === undefined) this.splitUri();
    return this.cachedPath!;
  }

  /** The raw query string (after `?`, before any `#`), `""` when there is none. */
  get query(): string {
    if (this.cachedQuery === undefined) this.splitUri();
    return this.cachedQuery!;
  }

  private splitUri(): void {
    const target = splitTarget(this.uri);
    this.cachedPath = target.path;
    this.cachedQuery = target.query;
  }

  /** The `Host` header, or `"127.0.0.1"` without one (HTTP/1.0), as Tornado does. */
  get host(): string {
    if (this.cachedHost === undefined) {
      const raw = this.rawHeaders;
      let host = '127.0.0.1';
      for (let index = 0; index < raw.length; index += 2) {
        const name = raw[index]!;
        if (name.length === 4 && name.toLowerCase() === 'host') {
          host = raw[index + 1]!;
          break;
        }
      }
      this.cachedHost = host;
    }
    return this.cachedHost;
  }

  /** The host without its port, lower-cased; an IPv6 literal keeps its brackets (`[::1]`). */
  get hostName(): string {
    const host = this.host.toLowerCase();
    const match = HOST_AND_PORT.exec(host);
    return match === null ? host : match[1]!;
  }

  /** The client's address; behind a trusted proxy with `xheaders`, the one the proxy reports. */
  get remoteIp(): string {
    if (this.cachedRemoteIp === undefined) this.resolvePeer();
    return this.cachedRemoteIp!;
  }

  /** `"http"` or `"https"`: the `protocol` option, or the scheme a trusted proxy reports with `xheaders`. */
  get protocol(): string {
    if (this.cachedProtocol === undefined) this.resolvePeer();
    return this.cachedProtocol!;
  }

  private resolvePeer(): void {
    const peer = this.incoming.socket.remoteAddress;
    const trusted = this.state.trusted;
    const fallbackProtocol = this.state.options.protocol;
    // A Unix-socket peer (no address) is local, so it is trusted like a loopback proxy.
    if (trusted !== undefined && (peer === undefined || trusted.has(peer))) {
      this.cachedRemoteIp = forwardedRemoteIp(this.rawHeaders, peer ?? '0.0.0.0', trusted);
      this.cachedProtocol = forwardedProtocol(this.rawHeaders, fallbackProtocol);
    } else {
      this.cachedRemoteIp = peer ?? '0.0.0.0';
      this.cachedProtocol = fallbackProtocol;
    }
  }

  get remotePort(): number | undefined {
    return this.incoming.socket.remotePort;
  }

  get serverIp(): string | undefined {
    return this.incoming.socket.localAddress;
  }

  get serverPort(): number | undefined {
    return this.incoming.socket.localPort;
  }

  /** Cookies from every `Cookie` header (last one wins for a repeated name); surrounding quotes removed. */
  get cookies(): Readonly<Record<string, string>> {
    if (this.cachedCookies === undefined) {
      const cookies: Record<string, string> = Object.create(null);
      for (const header of this.headers.getList('cookie')) parseCookies(header, cookies);
      this.cachedCookies = cookies;
    }
    return this.cachedCookies;
  }

  /**
   * The body as it arrives: de-chunked, limited to `maxBodySize` (a larger one answers 413 and the iteration
   * throws an `HTTPInputError`), iterated at most once. Its first pull answers `Expect: 100-continue`. Throws a
   * `StreamClosedError` if the connection closes before the body is complete.
   * `undefined` when `body` is already buffered.
   */
  get bodyStream(): AsyncIterable<Uint8Array> | undefined {
    if (this.body !== undefined) return undefined;
    this.cachedBodyStream ??= readBodyStream(this, this.state.options);
    return this.cachedBodyStream;
  }

  /** Reads the whole body (bounded by `maxBodySize`) into `body` and returns it. */
  readBody(): Promise<Uint8Array> {
    if (this.body !== undefined) return Promise.resolve(this.body);
    // Nobody iterates the stream: node's events, without a promise per chunk (collectBody sets `body` itself).
    this.cachedBodyRead ??=
      this.cachedBodyStream === undefined ? collectBody(this, this.state.options) : this.collectStream();
    return this.cachedBodyRead;
  }

  /** The rest of a body whose stream was already started. */
  private async collectStream(): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    let length = 0;
    for await (const chunk of this.cachedBodyStream!) {
      chunks.push(chunk);
      length += chunk.length;
    }
    const body = joinChunks(chunks, length, Buffer.allocUnsafe);
    this.body = body;
    this.bodyLength = body.length;
    return body;
  }

  /** Seconds from the request's arrival until its response finished (or until now, while it runs). */
  requestTime(): number {
    return ((this.finishTime >= 0 ? this.finishTime : performance.now()) - this.startTime) / 1000;
  }

  /** @internal Records the end of the response (called by the connection). */
  markFinished(): void {
    if (this.finishTime < 0) this.finishTime = performance.now();
  }

  /** The full URL: `protocol://host` and the target (an absolute-form target is returned as sent). */
  fullUrl(): string {
    if (this.uri.charCodeAt(0) !== 47 /* / */ && splitTarget(this.uri).form === 'absolute') return this.uri;
    return `${this.protocol}://${this.host}${this.uri}`;
  }

  supportsHttp11(): boolean {
    return this.version === 'HTTP/1.1';
  }
}

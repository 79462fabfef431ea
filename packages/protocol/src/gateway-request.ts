/**
 * The server → container seam: one request as a server hands it on. `HTTPServerRequest` from `@tsgi/http-server`
 * implements it; `buildEnviron()` reads it; any other server (or a test) can build one by hand.
 */
export interface GatewayRequest {
  /** The method token exactly as sent (no case folding). */
  readonly method: string;
  /** The raw request target exactly as sent, one code unit per byte (origin-, absolute-, or asterisk-form). */
  readonly uri: string;
  /** `"HTTP/1.1"` or `"HTTP/1.0"`. */
  readonly version: string;
  /**
   * Header lines in the order received, flattened: `[name0, value0, name1, value1, …]` (Node's `rawHeaders`
   * shape). Names keep their case; values are WSGI strings (latin-1).
   */
  readonly rawHeaders: readonly string[];
  /** The whole body, when the server buffered it. */
  readonly body?: Uint8Array | undefined;
  /**
   * The body as it arrives (de-chunked, decompressed, size-limited), when it was not buffered. Iterated at most
   * once; the first pull is what answers `Expect: 100-continue`.
   */
  readonly bodyStream?: AsyncIterable<Uint8Array> | undefined;
  /**
   * The length of the body the application will read, when known before reading it: the (decompressed,
   * de-chunked) byte count. Used for `CONTENT_LENGTH` when it differs from the header (chunked or gzip).
   */
  readonly bodyLength?: number | undefined;
  /** The client's address (after trusted proxy headers, if the server honours them). */
  readonly remoteIp: string;
  readonly remotePort?: number | undefined;
  /** The local address and port the connection arrived on. */
  readonly serverIp?: string | undefined;
  readonly serverPort?: number | undefined;
  /** The URL scheme: `"http"` or `"https"` (after trusted proxy headers). */
  readonly protocol: string;
  /** The raw (undecoded) path prefix a router mounted the application under; becomes `SCRIPT_NAME`. */
  readonly scriptName?: string | undefined;
}

import type { GatewayRequest } from './gateway-request.js';

/** The first line of a response: `HTTP/1.1 <code> <reason>`. */
export interface StartLine {
  readonly code: number;
  readonly reason: string;
}

/**
 * The container → server seam: the server's side of one response (see docs/architecture.md). `HTTPConnection`
 * from `@tsgi/http-server` implements it, and so do interop's connections. The connection owns HTTP framing:
 * `Content-Length` honoured, chunked on HTTP/1.1 without a length, close-delimited on HTTP/1.0, no body where
 * `statusHasNoBody()` or on HEAD, keep-alive rules.
 */
export interface GatewayConnection {
  /** Status line + headers (flat [name, value, …]), with the first body bytes when given: one write. */
  writeHeaders(startLine: StartLine, headers: readonly string[], chunk?: Uint8Array): Promise<void>;
  /** Resolves when the socket can take more ('drain'): backpressure. Rejects once the client is gone. */
  write(chunk: Uint8Array): Promise<void>;
  /** Finishes the response. If a Content-Length was sent and not reached, the connection is closed. */
  finish(): void;
  /** Closes the connection at once: the way to fail after the headers were sent. */
  abort(): void;
  /**
   * Aborted when the client disconnects (its socket closes or resets; a half-close is not a disconnect) before
   * the response finished (created lazily). May be shared by the responses of one keep-alive socket, so it can
   * also abort after this response finished.
   */
  readonly signal: AbortSignal;
  /**
   * True when the server writes the access line for this request itself: the container then writes none, so one
   * request is logged once.
   */
  readonly logsAccess?: boolean;
}

/** What `WSGIContainer.handleRequest()` reads: the request, and the connection to answer on. */
export interface ContainerRequest extends GatewayRequest {
  readonly connection: GatewayConnection;
  /**
   * Reads the whole body (as `bodyStream` would deliver it, with the same limits and errors) when the server can
   * do that more cheaply than iterating: the container uses it for a body whose `bodyLength` fits in memory.
   */
  readBody?(): Promise<Uint8Array>;
}

import type { GatewayRequest } from '@tsgi/environ';

/**
 * The container's way to answer: the server's side of one response (see docs/architecture.md). The connection
 * owns HTTP framing: `Content-Length` honoured, chunked on HTTP/1.1 without a length, close-delimited on
 * HTTP/1.0, no body on HEAD/1xx/204/304, keep-alive rules.
 */
export interface GatewayConnection {
  /** Status line + headers (flat [name, value, …]), with the first body bytes when given: one write. */
  writeHeaders(
    startLine: { code: number; reason: string },
    headers: readonly string[],
    chunk?: Uint8Array,
  ): Promise<void>;
  /** Resolves when the socket can take more ('drain'): backpressure. Rejects once the client is gone. */
  write(chunk: Uint8Array): Promise<void>;
  /** Ends the response. If a Content-Length was sent and not reached, the connection is closed. */
  finish(): void;
  /** Closes the connection at once: the way to fail after the headers were sent. */
  abort(): void;
  /** Aborted when the client disconnects before the response finished (created lazily). */
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

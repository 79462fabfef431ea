import { wholeResponse } from '@tsgi/http-server';
import { type GatewayConnection, reasonPhrase, type StartLine } from '@tsgi/protocol';

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * The connection of an `HTTPRequest` built from an environ: the same methods a native handler calls on
 * `HTTPServerRequest.connection`, but the response is collected in memory, because a gateway application hands
 * its whole response back when it returns. Every write resolves at once (there is no socket to wait for).
 */
export class CollectingConnection implements GatewayConnection {
  /** The status line, once `writeHeaders` (or `respond`) was called. */
  startLine: { readonly code: number; readonly reason: string } | undefined = undefined;
  /** The response headers, flat `[name, value, …]`. */
  headers: readonly string[] = [];
  /** The body as written, chunk by chunk. */
  readonly chunks: Uint8Array[] = [];
  /** True once `finish()` (or `respond`) ended the response. */
  finished = false;
  /** True once `abort()` was called. */
  aborted = false;
  /** Why nothing more may be written although the response was not finished (see `close`). */
  #closedReason: string | undefined = undefined;
  readonly #controller = new AbortController();
  /** Called when the response finishes or is aborted (`HTTPRequest` stops `requestTime()` there). */
  onFinish: (() => void) | undefined = undefined;

  /** True once the status line was written. */
  get headersWritten(): boolean {
    return this.startLine !== undefined;
  }

  /** True once the response was finished, aborted, or given up by the gateway application. */
  get closed(): boolean {
    return this.finished || this.aborted || this.#closedReason !== undefined;
  }

  /** Aborted when the response is aborted or given up; a gateway server offers no disconnect notice. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  writeHeaders(startLine: StartLine, headers: readonly string[], chunk?: Uint8Array): Promise<void> {
    const refused = this.#refusal();
    if (refused !== undefined) return Promise.reject(refused);
    if (this.startLine !== undefined) return Promise.reject(new Error('writeHeaders called twice'));
    this.startLine = {
      code: startLine.code,
      reason: startLine.reason || reasonPhrase(startLine.code) || 'Unknown',
    };
    this.headers = [...headers];
    return chunk === undefined ? RESOLVED : this.write(chunk);
  }

  write(chunk: Uint8Array): Promise<void> {
    const refused = this.#refusal();
    if (refused !== undefined) return Promise.reject(refused);
    if (this.startLine === undefined) return Promise.reject(new Error('write before writeHeaders'));
    if (chunk.length > 0) this.chunks.push(chunk);
    return RESOLVED;
  }

  /** Ends the response; without `writeHeaders` it is an empty `200`, as on the server. */
  finish(): void {
    if (this.closed) return;
    this.startLine ??= { code: 200, reason: 'OK' };
    this.finished = true;
    this.onFinish?.();
  }

  abort(): void {
    if (this.closed) return;
    this.aborted = true;
    this.onFinish?.();
    this.#controller.abort(new Error('the response was aborted'));
  }

  /** A whole response in one call, like `HTTPConnection.respond`: a string body is UTF-8 `text/plain`. */
  respond(
    code: number,
    body?: string | Uint8Array,
    headers?: readonly string[] | Record<string, string>,
  ): Promise<void> {
    const whole = wholeResponse(code, body, headers);
    const started = this.headersWritten;
    const written = this.writeHeaders({ code, reason: '' }, whole.headers, whole.body);
    if (!started && this.headersWritten) this.finish();
    return written;
  }

  /**
   * The gateway application gave up on this response (the handler did not finish it synchronously): every later
   * call is refused with `reason`, and `signal` is aborted so the handler can stop.
   */
  close(reason: string): void {
    if (this.closed) return;
    this.#closedReason = reason;
    this.#controller.abort(new Error(reason));
  }

  #refusal(): Error | undefined {
    if (this.#closedReason !== undefined) return new Error(this.#closedReason);
    if (this.finished || this.aborted) return new Error('response already ended');
    return undefined;
  }
}

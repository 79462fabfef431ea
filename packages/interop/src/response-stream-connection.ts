import { errorPageText, type GatewayConnection } from '@tsgi/protocol';

const RESOLVED: Promise<void> = Promise.resolve();
/** Statuses whose Fetch `Response` must have no body. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * A `GatewayConnection` whose output is a Fetch `Response`: `writeHeaders` resolves `response` with a
 * `ReadableStream` body that the container's writes feed. A write resolves only while the stream wants more
 * (the consumer pulled), so the application's iterable is pulled as the body is read, not ahead of it. When the
 * consumer cancels the body, pending and later writes reject, which makes the container stop iterating and
 * call the iterable's `close()`.
 */
export class ResponseStreamConnection implements GatewayConnection {
  /** Settles once with the response (or with an error when the container aborted before any headers). */
  readonly response: Promise<Response>;
  #resolve!: (response: Response) => void;
  #reject!: (error: Error) => void;
  readonly #headRequest: boolean;
  readonly #controller = new AbortController();
  #stream: ReadableStreamDefaultController<Uint8Array> | undefined = undefined;
  /** Writes waiting for the consumer to pull (the container may send several without awaiting each). */
  #waiting: { resolve(): void; reject(error: Error): void }[] = [];
  #state: 'idle' | 'streaming' | 'bodyless' | 'ended' = 'idle';

  readonly #logError: (message: string) => void;

  constructor(headRequest: boolean, logError: (message: string) => void, clientSignal?: AbortSignal) {
    this.#headRequest = headRequest;
    this.#logError = logError;
    this.response = new Promise<Response>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    if (clientSignal?.aborted) this.#clientGone();
    else clientSignal?.addEventListener('abort', () => this.#clientGone(), { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  writeHeaders(
    startLine: { code: number; reason: string },
    headers: readonly string[],
    chunk?: Uint8Array,
  ): Promise<void> {
    if (this.#state !== 'idle') {
      return Promise.reject(
        new Error(this.#state === 'ended' ? 'the response was cancelled' : 'writeHeaders called twice'),
      );
    }
    const bodyless = this.#headRequest || NULL_BODY_STATUSES.has(startLine.code);
    let response: Response;
    try {
      const responseHeaders = new Headers();
      for (let index = 0; index < headers.length; index += 2) {
        responseHeaders.append(headers[index]!, headers[index + 1]!);
      }
      const body = bodyless
        ? null
        : new ReadableStream<Uint8Array>({
            start: (controller) => {
              this.#stream = controller;
            },
            pull: () => this.#wake(),
            cancel: () => this.#clientGone(),
          });
      response = new Response(body, {
        status: startLine.code,
        statusText: startLine.reason,
        headers: responseHeaders,
      });
    } catch (error) {
      // A status or header the Fetch API cannot carry (600, say). The container would take the rejection for a
      // departed client, so the 500 is answered here.
      this.#logError(
        `The gateway application's response cannot be a Fetch Response (${startLine.code} ${startLine.reason}): ${String(error)}`,
      );
      this.#state = 'ended';
      this.#resolve(
        new Response(errorPageText(500), {
          status: 500,
          headers: { 'Content-Type': 'text/plain; charset=utf-8' },
        }),
      );
      return Promise.reject(error);
    }
    this.#state = bodyless ? 'bodyless' : 'streaming';
    this.#resolve(response);
    return chunk === undefined ? RESOLVED : this.write(chunk);
  }

  write(chunk: Uint8Array): Promise<void> {
    if (this.#state === 'bodyless') return RESOLVED;
    if (this.#state !== 'streaming') {
      return Promise.reject(
        new Error(this.#state === 'idle' ? 'write before writeHeaders' : 'the response body was closed'),
      );
    }
    const stream = this.#stream!;
    stream.enqueue(chunk);
    if ((stream.desiredSize ?? 0) > 0) return RESOLVED;
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
    });
  }

  finish(): void {
    const state = this.#state;
    if (state === 'ended') return;
    this.#state = 'ended';
    if (state === 'idle') this.#resolve(new Response(null, { status: 200 }));
    else if (state === 'streaming') this.#stream!.close();
    // Their chunks are queued; no pull will come for a closed stream.
    this.#wake();
  }

  abort(): void {
    const state = this.#state;
    if (state === 'ended') return;
    this.#state = 'ended';
    const error = new Error(
      'The gateway application failed after sending the headers; the body is incomplete',
    );
    if (state === 'idle') this.#reject(new Error('The gateway application aborted the response'));
    else if (state === 'streaming') this.#stream!.error(error);
    this.#rejectWaiting(error);
  }

  #wake(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const write of waiting) write.resolve();
  }

  #rejectWaiting(error: Error): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const write of waiting) write.reject(error);
    this.#controller.abort(error);
  }

  /** The consumer cancelled the body, or the client's request signal fired. */
  #clientGone(): void {
    if (this.#state === 'ended') return;
    const error = new Error('The client cancelled the response body');
    if (this.#state === 'idle') this.#reject(error);
    else if (this.#state === 'streaming') this.#stream!.error(error);
    this.#state = 'ended';
    this.#rejectWaiting(error);
  }
}

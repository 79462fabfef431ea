import { WSGIContainer, type WSGIContainerOptions } from '@tsgi/container';
import type { WSGIApplication } from '@tsgi/environ';
import { type ContainerRequest, describeError, joinChunks } from '@tsgi/protocol';
import { ResponseStreamConnection } from './response-stream-connection.js';

/** A Fetch API handler, the JavaScript world's gateway interface (Hono's `app.fetch`, Deno, Bun, workers). */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/** Options of `toFetchHandler(app, options)`; the `WSGIContainer` options apply when `app` is a function. */
export interface ToFetchHandlerOptions extends WSGIContainerOptions {
  /**
   * The largest request body, in bytes: the application reads `wsgi.input` synchronously, so the body is
   * buffered first. A larger one is answered `413` without calling the application. Default: 100 MiB (as
   * `HTTPServer`'s `maxBodySize`).
   */
  readonly maxBodySize?: number;
  /** The client's address for `REMOTE_ADDR`, which a Fetch `Request` does not carry. Default: `"0.0.0.0"`. */
  readonly remoteAddress?: (request: Request) => string | undefined;
  /** The raw path prefix the application is mounted under (`SCRIPT_NAME`). Default: none. */
  readonly scriptName?: string;
}

const DEFAULT_MAX_BODY_SIZE = 100 * 1024 * 1024;

class BodyTooLarge extends Error {}

/**
 * Serves a gateway application from any Fetch-based runtime: `(request: Request) => Promise<Response>`.
 *
 * The application runs in a `WSGIContainer` (pass one, or the application and the container's options), so
 * `startResponse`, `write()`, error pages (500), `close()` and the validator behave exactly as under
 * `HTTPServer`. The response body is a `ReadableStream` that pulls the application's iterable as it is read;
 * cancelling it stops the iteration and calls `close()`.
 *
 * ```ts
 * const handler = toFetchHandler((environ, startResponse) => {
 *   startResponse('200 OK', [['Content-Type', 'text/plain']]);
 *   return ['Hello from a gateway app\n'];
 * });
 * const response = await handler(new Request('http://localhost/'));
 * ```
 */
export function toFetchHandler(
  app: WSGIApplication | WSGIContainer,
  options: ToFetchHandlerOptions = {},
): (request: Request) => Promise<Response> {
  const container = app instanceof WSGIContainer ? app : new WSGIContainer(app, options);
  const maxBodySize = options.maxBodySize ?? DEFAULT_MAX_BODY_SIZE;
  const remoteAddress = options.remoteAddress;
  const scriptName = options.scriptName;
  return async (request) => {
    let body: Uint8Array;
    try {
      body = await readBody(request, maxBodySize);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      return new Response('413: Payload Too Large\n', {
        status: 413,
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      });
    }
    const url = new URL(request.url);
    const connection = new ResponseStreamConnection(
      request.method === 'HEAD',
      (message) => container.logger.error(message),
      request.signal,
    );
    const gatewayRequest: ContainerRequest = {
      method: request.method,
      uri: url.pathname + url.search,
      version: 'HTTP/1.1',
      rawHeaders: requestHeaders(request.headers, url),
      body,
      bodyLength: body.length,
      remoteIp: remoteAddress?.(request) ?? '0.0.0.0',
      serverPort: url.port === '' ? undefined : Number(url.port),
      protocol: url.protocol === 'https:' ? 'https' : 'http',
      scriptName,
      connection,
    };
    container.handleRequest(gatewayRequest).then(undefined, (error: unknown) => {
      // The container answers every failure itself; this is a last resort so the response never hangs.
      container.logger.error(`toFetchHandler: ${describeError(error)}`);
      connection.abort();
    });
    return connection.response;
  };
}

/**
 * The request's header lines, with `Host` from the URL when the runtime gives none (a `new Request(url)`), and
 * without `Transfer-Encoding` (the body was already decoded and buffered).
 */
function requestHeaders(headers: Headers, url: URL): string[] {
  const raw: string[] = [];
  let host = false;
  for (const [name, value] of headers) {
    if (name === 'transfer-encoding') continue;
    if (name === 'host') host = true;
    raw.push(name, value);
  }
  if (!host) raw.push('host', url.host);
  return raw;
}

async function readBody(request: Request, maxBodySize: number): Promise<Uint8Array> {
  const stream = request.body;
  if (stream === null) return new Uint8Array(0);
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBodySize) throw new BodyTooLarge();
  const parts: Uint8Array[] = [];
  let length = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.length;
    if (length > maxBodySize) {
      await reader.cancel();
      throw new BodyTooLarge();
    }
    parts.push(value);
  }
  return joinChunks(parts, length, Buffer.allocUnsafe);
}

import type { HTTPServerRequest, NativeHandler } from '@tsgi/http-server';
import { describeError, errorPageText, type Logger, reasonPhrase, requestSummary } from '@tsgi/protocol';
import type { FetchHandler } from './to-fetch-handler.js';

/** Options of `fromFetchHandler(handler, options)`. */
export interface FromFetchHandlerOptions {
  /** Where a failing handler is reported. Default: `console`. */
  readonly logger?: Pick<Logger, 'error'>;
}

/**
 * Mounts a Fetch API handler (a Hono app's `app.fetch`, say) as a native handler, so it sits in a `RuleRouter`
 * beside `WSGIContainer`s:
 *
 * ```ts
 * new RuleRouter([['/api/.*', fromFetchHandler(hono.fetch)], ['.*', new WSGIContainer(app)]]);
 * ```
 *
 * The handler gets a `Request` with the request's full URL (`request.fullUrl()`, mount prefix included), its
 * headers, its body streamed as it arrives (the first read answers `Expect: 100-continue`), and a `signal` that
 * aborts when the client disconnects. The `Response` is streamed back with backpressure: the next chunk is read
 * from its body only when the socket has taken the last. A handler that throws (or returns no `Response`) gets a
 * logged 500; a body that fails after the headers closes the connection.
 */
export function fromFetchHandler(
  handler: FetchHandler,
  options: FromFetchHandlerOptions = {},
): NativeHandler {
  const logger = options.logger ?? console;
  return async (request) => {
    const connection = request.connection;
    let fetchRequest: Request;
    try {
      fetchRequest = toRequest(request);
    } catch (error) {
      await connection.respond(400, errorPageText(400, (error as Error).message)).catch(ignore);
      return;
    }
    let response: Response;
    try {
      response = await handler(fetchRequest);
      // Duck-typed: a Response from the undici package (or another realm) is not this realm's Response.
      if (typeof response?.status !== 'number' || typeof response.headers?.get !== 'function') {
        throw new TypeError(`the Fetch handler returned ${String(response)}, not a Response`);
      }
    } catch (error) {
      if (connection.closed) return;
      logger.error(
        `Uncaught exception in Fetch handler: ${requestSummary(request)}\n${describeError(error)}`,
      );
      if (connection.headersWritten) connection.abort();
      else await connection.respond(500, errorPageText(500)).catch(ignore);
      return;
    }
    await sendResponse(request, response, logger);
  };
}

/** The Fetch `Request` for a server request. Throws when its `Host` does not make a valid URL. */
function toRequest(request: HTTPServerRequest): Request {
  const headers = new Headers();
  const raw = request.rawHeaders;
  for (let index = 0; index < raw.length; index += 2) headers.append(raw[index]!, raw[index + 1]!);
  const init: RequestInit & { duplex?: 'half' } = {
    method: request.method,
    headers,
    signal: request.connection.signal,
  };
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    const body = request.body;
    if (body !== undefined) {
      if (body.length > 0) init.body = body;
    } else {
      init.body = streamOf(request.bodyStream!);
      init.duplex = 'half';
    }
  }
  return new Request(request.fullUrl(), init);
}

/** A pull-driven `ReadableStream` over the server's body stream: nothing is read before the handler asks. */
function streamOf(source: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  let iterator: AsyncIterator<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        iterator ??= source[Symbol.asyncIterator]();
        const step = await iterator.next();
        if (step.done) controller.close();
        else controller.enqueue(step.value);
      },
      async cancel() {
        await iterator?.return?.();
      },
    },
    // No read-ahead: a stream pulls once at creation otherwise, and the first pull answers 100-continue.
    { highWaterMark: 0 },
  );
}

async function sendResponse(
  request: HTTPServerRequest,
  response: Response,
  logger: Pick<Logger, 'error'>,
): Promise<void> {
  const connection = request.connection;
  const headers: string[] = [];
  // Iteration joins repeated Set-Cookie headers in older runtimes: take them one by one where possible.
  const setCookies = response.headers.getSetCookie?.();
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie' || setCookies === undefined) headers.push(name, value);
  }
  for (const cookie of setCookies ?? []) headers.push('set-cookie', cookie);
  const startLine = {
    code: response.status,
    reason: response.statusText || reasonPhrase(response.status),
  };
  const body = response.body;
  try {
    await connection.writeHeaders(startLine, headers);
  } catch (error) {
    await body?.cancel().catch(ignore);
    if (connection.closed || connection.headersWritten) return;
    logger.error(`Fetch handler response refused: ${requestSummary(request)}\n${describeError(error)}`);
    await connection.respond(500, errorPageText(500)).catch(ignore);
    return;
  }
  if (body === null || request.method === 'HEAD') {
    // A HEAD response has no body to send: do not make the handler produce one.
    await body?.cancel().catch(ignore);
    connection.finish();
    return;
  }
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await connection.write(value);
    }
    connection.finish();
  } catch (error) {
    reader.cancel(error).catch(ignore);
    // A rejected write means the client left: nothing to report.
    if (!connection.closed && !request.connection.signal.aborted) {
      logger.error(`Fetch handler response body failed: ${requestSummary(request)}\n${describeError(error)}`);
    }
    connection.abort();
  }
}

function ignore(): void {}

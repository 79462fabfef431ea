import type { Environ, ResponseIterable, StartResponse, WSGIApplication } from '@tsgi/environ';
import { type HTTPServerRequest, RuleRouter, type RuleSpec } from '@tsgi/http-server';
import { describeError } from '@tsgi/protocol';
import { HTTPRequest } from './http-request.js';

/** A gateway application made of native handlers, with the router it dispatches through. */
export interface NativeWSGIApplication extends WSGIApplication {
  /** The router: add rules with `router.addRules([...])`. */
  readonly router: RuleRouter;
}

/**
 * Thrown to the gateway server when a handler did not finish its response before returning: the gateway
 * answers 500 with this message in its log.
 */
export class AsynchronousHandlerError extends Error {
  override readonly name = 'AsynchronousHandlerError';
}

/**
 * Tornado's `tornado.wsgi.WSGIApplication`: native handlers, routed by `RuleRouter` rules, served as a gateway
 * application `(environ, startResponse) => Iterable` by any gateway server — our `WSGIContainer` on another
 * thread or process, or a foreign one.
 *
 * Each call builds an `HTTPRequest` from the environ, routes it (no match → 404) and runs the handler, which
 * must write its whole response and call `finish()` (or `respond()`) before it returns: a gateway application
 * is synchronous. A handler that returns a pending promise (it awaited something) or returns without finishing
 * makes the call throw an `AsynchronousHandlerError` (the gateway answers 500); its later writes are refused.
 *
 * ```ts
 * const app = toWSGIApplication([['/', (request) => request.connection.respond(200, 'Hello, world\n')]]);
 * new HTTPServer(new WSGIContainer(app)).listen(8888);
 * ```
 */
export function toWSGIApplication(rules: readonly RuleSpec[] | RuleRouter = []): NativeWSGIApplication {
  const router = rules instanceof RuleRouter ? rules : new RuleRouter(rules);
  const app = (environ: Environ, startResponse: StartResponse): ResponseIterable => {
    const request = HTTPRequest.fromEnviron(environ);
    const connection = request.connection;
    // The request has every member a handler reads except `incoming`; the cast is what lets RuleRouter take it.
    const returned = router.handleRequest(request as unknown as HTTPServerRequest);
    if (returned instanceof Promise) {
      returned.then(undefined, (error: unknown) => {
        environ['wsgi.errors'].write(
          `Handler for ${request.method} ${request.uri} failed: ${describeError(error)}\n`,
        );
      });
    }
    if (connection.aborted) {
      throw new Error(`The handler for ${request.method} ${request.uri} aborted the response`);
    }
    if (!connection.finished) {
      const how =
        returned instanceof Promise
          ? 'returned a promise before finishing the response (it awaited something, such as an ' +
            'asynchronous write or readBody(), or it rejected)'
          : 'returned without calling connection.finish() or connection.respond()';
      const message =
        `toWSGIApplication runs only synchronous handlers: the handler for ${request.method} ${request.uri} ${how}. ` +
        'Under a gateway server a handler must write its whole response before it returns.';
      // Whatever the abandoned handler writes later is refused with this message.
      connection.close(message);
      throw new AsynchronousHandlerError(message);
    }
    const { code, reason } = connection.startLine!;
    const headers = connection.headers;
    const pairs: [string, string][] = [];
    for (let index = 0; index < headers.length; index += 2)
      pairs.push([headers[index]!, headers[index + 1]!]);
    startResponse(`${code} ${reason}`, pairs);
    return connection.chunks;
  };
  return Object.assign(app, { router });
}

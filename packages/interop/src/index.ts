// @tsgi/interop: native handlers as a gateway application (toWSGIApplication, HTTPRequest.fromEnviron), and the
// Fetch API both ways (toFetchHandler, fromFetchHandler).
export { CollectingConnection } from './collecting-connection.js';
export { type FromFetchHandlerOptions, fromFetchHandler } from './from-fetch-handler.js';
export { HTTPRequest } from './http-request.js';
export { type FetchHandler, type ToFetchHandlerOptions, toFetchHandler } from './to-fetch-handler.js';
export {
  AsynchronousHandlerError,
  type NativeWSGIApplication,
  toWSGIApplication,
} from './wsgi-application.js';

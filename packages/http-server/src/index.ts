// @tsgi/http-server: Tornado's HTTPServer on node:http with routing, TLS, limits, multi-process start and
// graceful shutdown.
export type { AccessLogEntry, AccessLogFormat, AccessLogOptions, Logger } from '@tsgi/protocol';
export { formatAccessLog } from '@tsgi/protocol';
export { HTTPConnection } from './connection.js';
export { parseCookies } from './cookies.js';
export { HTTPInputError, StreamClosedError } from './errors.js';
export { HTTPHeaders } from './http-headers.js';
export type { StartOptions } from './multi-process.js';
export type { HTTPServerOptions, ResolvedOptions } from './options.js';
export { HTTPServerRequest } from './request.js';
export type { Matcher, NativeHandler, RouteMatch, RouteTarget, RuleOptions, RuleSpec } from './routing.js';
export { AnyMatches, HostMatches, PathMatches, Rule, RuleRouter } from './routing.js';
export type { CloseOptions, ListeningAddress, RequestCallback, RequestHandler } from './server.js';
export { HTTPServer } from './server.js';
export type { CloseOnSignalsOptions } from './signals.js';
export { closeOnSignals } from './signals.js';
export { TrustedDownstream } from './trusted-downstream.js';
export { wholeResponse } from './whole-response.js';

// @tsgi/protocol: the seams between tsgi's packages and the HTTP facts they share, each in one place. No
// runtime dependencies and no Node APIs, so every package (and any other server) can import it.
export {
  type AccessLog,
  type AccessLogEntry,
  type AccessLogFormat,
  type AccessLogOptions,
  accessLog,
  accessLogLevel,
  formatAccessLog,
  logTornadoAccess,
  requestSummary,
  tornadoAccessLine,
} from './access-log.js';
export { describeError, describeValue } from './describe-error.js';
export { endedByExecutor, errorCodes, errorNames, isUnavailable, isWorkCancelled } from './error-names.js';
export { type ErrorPage, errorPage, errorPageText, sendErrorPage } from './error-page.js';
export { hasInvalidFieldCharacter, isDigits, isToken, trimFieldValue } from './field-value.js';
export type { ContainerRequest, GatewayConnection, StartLine } from './gateway-connection.js';
export type { GatewayRequest } from './gateway-request.js';
export { joinChunks } from './join-chunks.js';
export type { Logger } from './logger.js';
export { type RequestTarget, splitTarget, type TargetForm } from './request-target.js';
export { type SerializedError, serializeError } from './serialized-error.js';
export { defaultServerName, defaultServerSoftware } from './server-software.js';
export { reasonPhrase, statusHasNoBody } from './status.js';

export type { Environ, ResponseIterable, StartResponse, WSGIApplication } from '@tsgi/environ';
export { defaultServerSoftware, WSGIContainer, type WSGIContainerOptions } from './container.js';
export type { ContainerRequest, GatewayConnection } from './gateway-connection.js';
export type {
  BodyMessage,
  EndMessage,
  ErrorMessage,
  GatewayMessage,
  HeadMessage,
  LogMessage,
  SerializedError,
} from './gateway-message.js';
export type { Logger } from './logger.js';
export { ResponseHeadError } from './response-head.js';
export { validator, WSGIValidationError } from './validator.js';

export type { Environ, ResponseIterable, StartResponse, WSGIApplication } from '@tsgi/environ';
export type { ContainerRequest, GatewayConnection, Logger, SerializedError } from '@tsgi/protocol';
export { defaultServerSoftware, WSGIContainer, type WSGIContainerOptions } from './container.js';
export type {
  BodyMessage,
  EndMessage,
  ErrorMessage,
  GatewayMessage,
  HeadMessage,
  LogMessage,
} from './gateway-message.js';
export { ResponseHeadError } from './response-head.js';
export { validator, WSGIValidationError } from './validator.js';

export type { GatewayRequest } from '@tsgi/protocol';
export {
  type BuildEnvironOptions,
  buildEnviron,
  EnvironError,
  type EnvironOptions,
  environVariables,
  type UnderscoreHeaders,
} from './build-environ.js';
export { type ErrorSink, WSGIErrorStream } from './error-stream.js';
export { BufferReader, type ByteReader, WSGIInputStream } from './input-stream.js';
export type {
  Chunk,
  Environ,
  EnvironVariables,
  ErrorStream,
  InputStream,
  ResponseIterable,
  StartResponse,
  WriteCallable,
  WSGIApplication,
} from './types.js';
export { quoteWsgiString, reconstructUrl, unquoteToWsgiString } from './url.js';
export { type EnvironRule, EnvironValidationError, validateEnviron } from './validate-environ.js';
export {
  bytesToWsgiString,
  headerKey,
  headerName,
  isWsgiString,
  textToWsgiString,
  wsgiStringToBytes,
  wsgiStringToText,
} from './wsgi-string.js';

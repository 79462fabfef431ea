export { type ErrorSink, WSGIErrorStream } from './error-stream.js';
export { BufferReader, type ByteReader, WSGIInputStream } from './input-stream.js';
export type {
  Chunk,
  Environ,
  ErrorStream,
  GatewayRequest,
  InputStream,
  ResponseIterable,
  StartResponse,
  WriteCallable,
  WSGIApplication,
} from './types.js';

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

// TEMPORARY stand-in for @tsgi/environ until it lands on main: the same names and shapes, minimal behaviour.
// Replaced by `export … from '@tsgi/environ'` on merge.
import type { GatewayRequest as BaseRequest } from '@tsgi/environ';

export type {
  Chunk,
  ErrorStream,
  GatewayRequest,
  InputStream,
  ResponseIterable,
  StartResponse,
  WriteCallable,
} from '@tsgi/environ';

import type { ErrorStream, InputStream, ResponseIterable, StartResponse } from '@tsgi/environ';

export interface EnvironVariables {
  REQUEST_METHOD: string;
  SCRIPT_NAME: string;
  PATH_INFO: string;
  QUERY_STRING: string;
  CONTENT_TYPE?: string;
  CONTENT_LENGTH?: string;
  SERVER_NAME: string;
  SERVER_PORT: string;
  SERVER_PROTOCOL: string;
  'wsgi.url_scheme': string;
  'wsgi.multithread': boolean;
  'wsgi.multiprocess': boolean;
  [key: string]: unknown;
}
export interface Environ extends EnvironVariables {
  'wsgi.input': InputStream;
  'wsgi.errors': ErrorStream;
}
export type WSGIApplication = (environ: Environ, startResponse: StartResponse) => ResponseIterable;

export class EnvironError extends Error {
  override readonly name = 'EnvironError';
  constructor(
    message: string,
    readonly status: 400 | 404 = 400,
  ) {
    super(message);
  }
}

export interface EnvironOptions {
  readonly serverSoftware?: string | undefined;
  readonly multithread?: boolean | undefined;
  readonly multiprocess?: boolean | undefined;
}

export function environVariables(request: BaseRequest, options: EnvironOptions = {}): EnvironVariables {
  const [rawPath = '', query = ''] = splitOnce(request.uri, '?');
  const scriptName = request.scriptName ?? '';
  const path = decodeURIComponentLatin1(rawPath);
  const environ: EnvironVariables = {
    REQUEST_METHOD: request.method,
    SCRIPT_NAME: decodeURIComponentLatin1(scriptName),
    PATH_INFO: path.slice(decodeURIComponentLatin1(scriptName).length),
    QUERY_STRING: query,
    SERVER_NAME: 'localhost',
    SERVER_PORT: request.protocol === 'https' ? '443' : '80',
    SERVER_PROTOCOL: request.version,
    SERVER_SOFTWARE: options.serverSoftware ?? 'tsgi',
    REMOTE_ADDR: request.remoteIp,
    'wsgi.version': [1, 0],
    'wsgi.url_scheme': request.protocol,
    'wsgi.multithread': options.multithread ?? false,
    'wsgi.multiprocess': options.multiprocess ?? false,
    'wsgi.run_once': false,
  };
  const headers = request.rawHeaders;
  for (let index = 0; index < headers.length; index += 2) {
    const name = headers[index]!;
    const value = headers[index + 1]!;
    if (name.includes('_')) continue;
    const key = name.toUpperCase().replaceAll('-', '_');
    if (key === 'HOST') {
      if (value.includes(':abc') || value.endsWith(':')) throw new EnvironError(`Bad Host header ${value}`);
      const [host = '', port] = splitOnce(value, ':');
      environ.SERVER_NAME = host;
      if (port) environ.SERVER_PORT = port;
    }
    if (key === 'TRANSFER_ENCODING') continue;
    const target = key === 'CONTENT_TYPE' || key === 'CONTENT_LENGTH' ? key : `HTTP_${key}`;
    environ[target] = environ[target] === undefined ? value : `${environ[target]},${value}`;
  }
  return environ;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const index = text.indexOf(separator);
  return index < 0 ? [text, undefined] : [text.slice(0, index), text.slice(index + 1)];
}

function decodeURIComponentLatin1(text: string): string {
  return text.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

export interface ByteReader {
  read(maxBytes: number): Uint8Array | null;
}

export class WSGIInputStream implements InputStream {
  #reader: ByteReader;
  #remaining: number;
  constructor(source: ByteReader, length?: number) {
    this.#reader = source;
    this.#remaining = length ?? Number.POSITIVE_INFINITY;
  }
  read(size?: number | null): Uint8Array {
    const parts: Uint8Array[] = [];
    let wanted = size == null || size < 0 ? Number.POSITIVE_INFINITY : size;
    while (wanted > 0 && this.#remaining > 0) {
      const part = this.#reader.read(Math.min(wanted, this.#remaining, 65536));
      if (part === null || part.length === 0) break;
      parts.push(part);
      wanted -= part.length;
      this.#remaining -= part.length;
    }
    return Buffer.concat(parts);
  }
  readline(): Uint8Array {
    throw new Error('readline: not in the stand-in');
  }
  readlines(): Uint8Array[] {
    throw new Error('readlines: not in the stand-in');
  }
  *[Symbol.iterator](): Iterator<Uint8Array> {
    yield this.read();
  }
}

export class WSGIErrorStream implements ErrorStream {
  #pending = '';
  constructor(readonly sink: (line: string) => void) {}
  write(text: string): void {
    const lines = (this.#pending + text).split('\n');
    this.#pending = lines.pop()!;
    for (const line of lines) this.sink(line);
  }
  writelines(lines: Iterable<string>): void {
    for (const line of lines) this.write(line);
  }
  flush(): void {
    if (this.#pending) this.sink(this.#pending);
    this.#pending = '';
  }
}

export function validateEnviron(environ: unknown): void {
  if (typeof environ !== 'object' || environ === null) throw new TypeError('environ must be an object');
}

export function buildEnviron(
  request: BaseRequest,
  options: EnvironOptions & { errors?: (line: string) => void },
): Environ {
  const environ = environVariables(request, options) as Environ;
  const body = request.body ?? new Uint8Array(0);
  let offset = 0;
  environ['wsgi.input'] = new WSGIInputStream({
    read: (max) => {
      const start = offset;
      offset += max;
      return start >= body.length ? null : body.subarray(start, offset);
    },
  });
  environ['wsgi.errors'] = new WSGIErrorStream(options.errors ?? console.error);
  return environ;
}

import {
  defaultServerName,
  defaultServerSoftware,
  type GatewayRequest,
  isDigits,
  type RequestTarget,
  splitTarget,
  trimFieldValue,
} from '@tsgi/protocol';
import { type ErrorSink, WSGIErrorStream } from './error-stream.js';
import { type ByteReader, WSGIInputStream } from './input-stream.js';
import type { Environ, EnvironVariables, ErrorStream, InputStream } from './types.js';
import { unquoteToWsgiString } from './url.js';
import { headerKey } from './wsgi-string.js';

/**
 * A request the environ cannot be built for, with the HTTP status the server should answer: 400 for a
 * malformed request (bad or duplicate `Host`, `*` with a method other than OPTIONS, a refused header, …),
 * 404 for a path outside the mount prefix (`scriptName`).
 */
export class EnvironError extends Error {
  override readonly name = 'EnvironError';
  readonly status: 400 | 404;

  constructor(message: string, status: 400 | 404 = 400) {
    super(message);
    this.status = status;
  }
}

/** What to do with a request header whose name contains `_` (it would share an `HTTP_*` key with its `-` twin). */
export type UnderscoreHeaders = 'drop' | 'refuse' | 'keep';

/** Options for `environVariables()`; `buildEnviron()` takes these and the streams. */
export interface EnvironOptions {
  /** The raw mount prefix of the path; becomes `SCRIPT_NAME` (decoded). Default: `request.scriptName`, else `""`. */
  readonly scriptName?: string | undefined;
  /** `SERVER_SOFTWARE`. Default: `"tsgi/<version>"`. */
  readonly serverSoftware?: string | undefined;
  /** `wsgi.multithread`: whether requests may run at the same time on other threads. Default: `false`. */
  readonly multithread?: boolean | undefined;
  /** `wsgi.multiprocess`: whether other processes serve the same application. Default: `false`. */
  readonly multiprocess?: boolean | undefined;
  /** `wsgi.run_once`. Default: `false`. */
  readonly runOnce?: boolean | undefined;
  /**
   * Header names containing `_`: `'drop'` them (default; they could spoof their `-` twin, e.g. `X_Forwarded_For`
   * as `X-Forwarded-For`), `'refuse'` the request (`EnvironError`, 400), or `'keep'` them (joined with the twin).
   */
  readonly underscoreHeaders?: UnderscoreHeaders | undefined;
  /** `SERVER_NAME` when the request has no (or an empty) `Host`. Default: the server's address, else `"localhost"`. */
  readonly defaultServerName?: string | undefined;
}

/** Options for `buildEnviron()`. */
export interface BuildEnvironOptions extends EnvironOptions {
  /** `wsgi.input`, or a blocking reader to build it over (clamped to `CONTENT_LENGTH`). Default: `request.body`. */
  readonly input?: InputStream | ByteReader | undefined;
  /** `wsgi.errors`, or a sink that receives its lines. Default: each line goes to `console.error`. */
  readonly errors?: ErrorStream | ErrorSink | undefined;
}

const NO_OPTIONS: BuildEnvironOptions = {};
const WSGI_VERSION: readonly [1, 0] = Object.freeze([1, 0] as const);
const EMPTY_BODY = new Uint8Array(0);

// How each request header is handled, by kind.
const ORDINARY = 0;
const CONTENT_TYPE = 1;
const CONTENT_LENGTH = 2;
const HOST = 3;
const TRANSFER_ENCODING = 4;
/** A name with `_`. */
const UNDERSCORE = 5;
/** A name with `_` whose key is one the server fills itself (`Content_Type`, `Transfer_Encoding`): never kept. */
const RESERVED_UNDERSCORE = 6;

interface HeaderInfo {
  readonly key: string;
  readonly kind: number;
}

/** Header names seen so far (as sent, case and all) → how to handle them. Bounded: names are client input. */
const headerInfoCache = new Map<string, HeaderInfo>();
const HEADER_INFO_CACHE_LIMIT = 512;
/**
 * The name last seen at each header position and its info. A client sends the same headers in the same order
 * request after request, and comparing two short strings is cheaper than hashing a fresh one for the map.
 */
const POSITIONS_REMEMBERED = 32;
const namesByPosition = new Array<string | undefined>(POSITIONS_REMEMBERED).fill(undefined);
const infosByPosition = new Array<HeaderInfo | undefined>(POSITIONS_REMEMBERED).fill(undefined);

function headerInfo(name: string, position: number): HeaderInfo {
  if (position < POSITIONS_REMEMBERED && namesByPosition[position] === name) {
    return infosByPosition[position]!;
  }
  let info = headerInfoCache.get(name);
  if (info === undefined) {
    info = classifyHeader(name);
    if (headerInfoCache.size < HEADER_INFO_CACHE_LIMIT) headerInfoCache.set(name, info);
  }
  if (position < POSITIONS_REMEMBERED) {
    namesByPosition[position] = name;
    infosByPosition[position] = info;
  }
  return info;
}

function classifyHeader(name: string): HeaderInfo {
  const key = headerKey(name);
  const reserved = key === 'CONTENT_TYPE' || key === 'CONTENT_LENGTH' || key === 'HTTP_TRANSFER_ENCODING';
  if (name.includes('_')) return { key, kind: reserved ? RESERVED_UNDERSCORE : UNDERSCORE };
  if (key === 'CONTENT_TYPE') return { key, kind: CONTENT_TYPE };
  if (key === 'CONTENT_LENGTH') return { key, kind: CONTENT_LENGTH };
  if (key === 'HTTP_TRANSFER_ENCODING') return { key, kind: TRANSFER_ENCODING };
  if (key === 'HTTP_HOST') return { key, kind: HOST };
  return { key, kind: ORDINARY };
}

/**
 * Characters allowed in a `Host` name (RFC 3986 reg-name: unreserved, pct-encoded, sub-delims), except `,`:
 * a comma is what two `Host` headers joined by a proxy look like.
 */
const HOST_NAME_CHARACTERS = new Uint8Array(128);
for (const character of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%!$&'()*+;=") {
  HOST_NAME_CHARACTERS[character.charCodeAt(0)] = 1;
}
/** Characters allowed between the brackets of an IP literal (IPv6, with an embedded IPv4 tail). */
const IP_LITERAL_CHARACTERS = new Uint8Array(128);
for (const character of '0123456789abcdefABCDEF:.') IP_LITERAL_CHARACTERS[character.charCodeAt(0)] = 1;

/**
 * The environ's plain values for a request: everything `buildEnviron()` sets except `wsgi.input` and
 * `wsgi.errors`. The result can be structured-cloned (sent to a worker thread, which adds the streams).
 * The request is only read, never changed.
 *
 * @throws EnvironError for a request the server must answer with its `status` (400, or 404 outside the mount).
 */
export function environVariables(
  request: GatewayRequest,
  options: EnvironOptions = NO_OPTIONS,
): EnvironVariables {
  const target = splitTarget(request.uri);
  const environ = requestVariables(request, options, target.query);
  setPathVariables(environ, request.method, target, options.scriptName ?? request.scriptName);
  const transferEncoding = setHeaderVariables(
    environ,
    request.rawHeaders,
    options.underscoreHeaders ?? 'drop',
  );
  setContentLength(environ, request, transferEncoding);
  setServerAddress(environ, request, target.authority, options.defaultServerName);
  return environ;
}

/** The variables the request gives as they are; the path ones are filled by `setPathVariables()`. */
function requestVariables(request: GatewayRequest, options: EnvironOptions, query: string): EnvironVariables {
  const uri = request.uri;
  const scheme = request.protocol;
  const environ: EnvironVariables = {
    REQUEST_METHOD: request.method,
    SCRIPT_NAME: '',
    PATH_INFO: '',
    QUERY_STRING: query,
    REQUEST_URI: uri,
    RAW_URI: uri,
    SERVER_NAME: '',
    SERVER_PORT: '',
    SERVER_PROTOCOL: request.version,
    SERVER_SOFTWARE: options.serverSoftware ?? defaultServerSoftware,
    REMOTE_ADDR: request.remoteIp,
    'wsgi.version': WSGI_VERSION,
    'wsgi.url_scheme': scheme,
    'wsgi.multithread': options.multithread === true,
    'wsgi.multiprocess': options.multiprocess === true,
    'wsgi.run_once': options.runOnce === true,
    'wsgi.input_terminated': true,
  };
  if (request.remotePort !== undefined) environ.REMOTE_PORT = String(request.remotePort);
  if (scheme === 'https') environ.HTTPS = 'on';
  return environ;
}

/**
 * `SCRIPT_NAME` and `PATH_INFO` from the target's path and the raw mount prefix: the prefix is removed from the
 * path, and both are decoded to WSGI strings.
 */
function setPathVariables(
  environ: EnvironVariables,
  method: string,
  target: RequestTarget,
  mountPrefix: string | undefined,
): void {
  let rawPath = target.path;
  if (target.form === 'asterisk') {
    if (method !== 'OPTIONS') throw new EnvironError(`The request target "*" is only allowed with OPTIONS`);
    rawPath = '';
  } else if (target.form === 'other') {
    throw new EnvironError(`Malformed request target: ${JSON.stringify(environ.RAW_URI)}`);
  }
  let mount = mountPrefix;
  // `OPTIONS *` asks about the whole server, not a path under the mount.
  if (mount !== undefined && mount !== '' && rawPath !== '') {
    while (mount.endsWith('/')) mount = mount.slice(0, -1);
    if (mount !== '') {
      if (
        !rawPath.startsWith(mount) ||
        (rawPath.length > mount.length && rawPath.charCodeAt(mount.length) !== 0x2f)
      ) {
        throw new EnvironError(`The path ${JSON.stringify(rawPath)} is outside the mount ${mount}`, 404);
      }
      environ.SCRIPT_NAME = unquoteToWsgiString(mount);
      rawPath = rawPath.slice(mount.length);
    }
  }
  environ.PATH_INFO = rawPath.indexOf('%') < 0 ? rawPath : unquoteToWsgiString(rawPath);
}

/**
 * The request headers as `HTTP_*`, `CONTENT_TYPE` and (the header's value, until `setContentLength()`)
 * `CONTENT_LENGTH`. Returns whether the request had a `Transfer-Encoding`.
 */
function setHeaderVariables(
  environ: EnvironVariables,
  rawHeaders: readonly string[],
  underscoreHeaders: UnderscoreHeaders,
): boolean {
  const headerValues = environ as Record<string, unknown>;
  let transferEncoding = false;
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const info = headerInfo(rawHeaders[index]!, index >> 1);
    const value = trimFieldValue(rawHeaders[index + 1]!);
    switch (info.kind) {
      case ORDINARY: {
        const previous = headerValues[info.key];
        headerValues[info.key] = previous === undefined ? value : previous + ',' + value;
        break;
      }
      case HOST:
        if (environ.HTTP_HOST !== undefined) throw new EnvironError('More than one Host header');
        environ.HTTP_HOST = value;
        break;
      case CONTENT_TYPE:
        if (environ.CONTENT_TYPE !== undefined) throw new EnvironError('More than one Content-Type header');
        environ.CONTENT_TYPE = value;
        break;
      case CONTENT_LENGTH: {
        if (!isDigits(value) || !Number.isSafeInteger(Number(value))) {
          throw new EnvironError(`Malformed Content-Length: ${JSON.stringify(value)}`);
        }
        const previous = environ.CONTENT_LENGTH;
        if (previous !== undefined && Number(previous) !== Number(value)) {
          throw new EnvironError('Conflicting Content-Length headers');
        }
        environ.CONTENT_LENGTH = value;
        break;
      }
      case TRANSFER_ENCODING:
        // Decoding the transfer coding is the server's job; the application reads the decoded body.
        transferEncoding = true;
        break;
      default:
        // A name with `_`.
        if (underscoreHeaders === 'refuse') {
          throw new EnvironError(`Header name ${JSON.stringify(rawHeaders[index])} contains "_"`);
        }
        if (underscoreHeaders === 'keep' && info.kind === UNDERSCORE) {
          const previous = headerValues[info.key];
          headerValues[info.key] = previous === undefined ? value : previous + ',' + value;
        }
    }
  }
  return transferEncoding;
}

/**
 * `CONTENT_LENGTH` is the length of the body the application reads: the server's decoded length when it knows
 * one (after de-chunking or decompression), else the header, else a buffered body's size. A request with
 * neither Content-Length nor Transfer-Encoding has no body (RFC 9112 §6.3), and CGI sets the variable only for
 * a request that has one (RFC 3875 §4.1.2): a GET's `bodyLength` of 0 leaves it absent.
 */
function setContentLength(
  environ: EnvironVariables,
  request: GatewayRequest,
  transferEncoding: boolean,
): void {
  const header = environ.CONTENT_LENGTH;
  if (transferEncoding && header !== undefined) {
    throw new EnvironError('Both Content-Length and Transfer-Encoding');
  }
  const bodyLength = request.bodyLength;
  if (bodyLength !== undefined && (bodyLength > 0 || header !== undefined || transferEncoding)) {
    environ.CONTENT_LENGTH = String(bodyLength);
  } else if (header !== undefined) environ.CONTENT_LENGTH = String(Number(header));
  else if (request.body !== undefined && request.body.length > 0) {
    environ.CONTENT_LENGTH = String(request.body.length);
  }
}

/**
 * `SERVER_NAME` and `SERVER_PORT`: from an absolute-form target's authority (which replaces `Host`, RFC 9112
 * §3.2.2), else `Host`, else the address the connection arrived on.
 */
function setServerAddress(
  environ: EnvironVariables,
  request: GatewayRequest,
  authority: string | undefined,
  defaultName: string | undefined,
): void {
  const defaultPort = environ['wsgi.url_scheme'] === 'https' ? '443' : '80';
  const host = environ.HTTP_HOST;
  const serverAuthority = authority ?? host;
  if (host === undefined && request.version === 'HTTP/1.1') {
    throw new EnvironError('HTTP/1.1 request without a Host header');
  }
  if (serverAuthority === undefined || serverAuthority === '') {
    const serverIp = request.serverIp;
    environ.SERVER_NAME =
      defaultName ??
      (serverIp === undefined || serverIp === ''
        ? defaultServerName
        : serverIp.includes(':')
          ? `[${serverIp}]`
          : serverIp);
    environ.SERVER_PORT = request.serverPort === undefined ? defaultPort : String(request.serverPort);
  } else {
    setServerNameAndPort(environ, serverAuthority, defaultPort);
  }
}

/**
 * Builds the PEP 3333 environ for a request: `environVariables()` plus `wsgi.input` (by default over
 * `request.body`, clamped to `CONTENT_LENGTH`) and `wsgi.errors`.
 *
 * @throws EnvironError for a request the server must answer with its `status` (400, or 404 outside the mount).
 * @throws TypeError when the body is a stream (`request.bodyStream`) and no `input` option says how to read it.
 */
export function buildEnviron(request: GatewayRequest, options: BuildEnvironOptions = NO_OPTIONS): Environ {
  const environ = environVariables(request, options) as Environ;
  const contentLength = environ.CONTENT_LENGTH;
  const length = contentLength === undefined ? undefined : Number(contentLength);
  const input = options.input;
  if (input === undefined) {
    const body = request.body;
    if (body === undefined && request.bodyStream !== undefined) {
      throw new TypeError(
        'buildEnviron: the request body is a stream; pass options.input (a ByteReader or an InputStream) to read it',
      );
    }
    environ['wsgi.input'] = new WSGIInputStream(body ?? EMPTY_BODY, length);
  } else {
    environ['wsgi.input'] = isInputStream(input) ? input : new WSGIInputStream(input, length);
  }
  const errors = options.errors;
  environ['wsgi.errors'] =
    errors === undefined
      ? new WSGIErrorStream(logToConsole)
      : typeof errors === 'function'
        ? new WSGIErrorStream(errors)
        : errors;
  return environ;
}

function logToConsole(line: string): void {
  console.error(line);
}

function isInputStream(input: InputStream | ByteReader): input is InputStream {
  return typeof (input as InputStream).readline === 'function';
}

/** Sets SERVER_NAME and SERVER_PORT from a `Host` value (`name`, `name:port`, `[v6]`, `[v6]:port`). */
function setServerNameAndPort(environ: EnvironVariables, host: string, defaultPort: string): void {
  let nameEnd: number;
  if (host.charCodeAt(0) === 0x5b /* [ */) {
    nameEnd = host.indexOf(']') + 1;
    if (nameEnd <= 2 || !allIn(IP_LITERAL_CHARACTERS, host, 1, nameEnd - 1)) throw malformedHost(host);
  } else {
    nameEnd = host.indexOf(':');
    if (nameEnd < 0) nameEnd = host.length;
    if (nameEnd === 0 || !allIn(HOST_NAME_CHARACTERS, host, 0, nameEnd)) throw malformedHost(host);
  }
  let port = defaultPort;
  if (nameEnd < host.length) {
    if (host.charCodeAt(nameEnd) !== 0x3a /* : */) throw malformedHost(host);
    // `host:` (an empty port) means the default port (RFC 3986 §6.2.3).
    if (nameEnd + 1 < host.length) {
      port = host.slice(nameEnd + 1);
      if (port.length > 5 || !isDigits(port) || Number(port) > 65535) throw malformedHost(host);
    }
  }
  environ.SERVER_NAME = nameEnd === host.length ? host : host.slice(0, nameEnd);
  environ.SERVER_PORT = port;
}

function malformedHost(host: string): EnvironError {
  return new EnvironError(`Malformed Host: ${JSON.stringify(host)}`);
}

function allIn(allowed: Uint8Array, value: string, start: number, end: number): boolean {
  for (let index = start; index < end; index++) {
    if (allowed[value.charCodeAt(index)] !== 1) return false;
  }
  return true;
}

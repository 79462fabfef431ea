/**
 * The checks `startResponse` makes when it is called (PEP 3333 asks servers to fail inside the application, at
 * call time, rather than when the headers are written), and the headers the gateway adds.
 */
import {
  hasInvalidFieldCharacter,
  isToken,
  reasonPhrase,
  statusHasNoBody,
  trimFieldValue,
} from '@tsgi/protocol';

/** A status line and headers that passed the checks. */
export interface ResponseHead {
  readonly code: number;
  readonly reason: string;
  /** Flat `[name, value, …]` as the application gave them (values trimmed of surrounding spaces and tabs). */
  readonly headers: string[];
  /** The application's `Content-Length`, or -1. */
  readonly contentLength: number;
  readonly hasContentType: boolean;
  readonly hasServer: boolean;
}

/** A status or header the application gave that HTTP cannot carry. Thrown from `startResponse`. */
export class ResponseHeadError extends TypeError {
  override readonly name = 'ResponseHeadError';
}

const status = /^([1-9][0-9][0-9])(?: (.*))?$/s;

/**
 * Hop-by-hop headers describe one connection, which the server owns; PEP 3333 makes sending one an application
 * error (Tornado forwarded `Transfer-Encoding: chunked` next to its own `Content-Length`, breaking framing).
 */
export const hopByHopHeaders: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Parses and checks `startResponse(status, headers)`. `"200"` without a reason phrase is accepted and gets the
 * standard phrase (`OK`); an unknown code without one gets an empty phrase.
 */
export function parseResponseHead(statusLine: unknown, headers: unknown): ResponseHead {
  const { code, reason } = parseStatus(statusLine);
  if (!Array.isArray(headers)) {
    throw new ResponseHeadError(`headers must be an array of [name, value] pairs, got ${typeof headers}`);
  }
  const flat: string[] = [];
  let contentLength = -1;
  let hasContentType = false;
  let hasServer = false;
  for (const header of headers as unknown[]) {
    if (!Array.isArray(header) || header.length !== 2) {
      throw new ResponseHeadError(`each header must be a [name, value] pair, got ${JSON.stringify(header)}`);
    }
    const [name, rawValue] = header as [string, unknown];
    const kind = headerKind(name);
    if (typeof rawValue !== 'string') {
      throw new ResponseHeadError(`header ${name}: value must be a string, got ${typeof rawValue}`);
    }
    const value = trimFieldValue(rawValue);
    if (hasInvalidFieldCharacter(value)) {
      throw new ResponseHeadError(
        `header ${name}: value ${JSON.stringify(value)} contains CR, LF, NUL, another control character or a character above U+00FF`,
      );
    }
    if (kind === contentLengthHeader) {
      if (!/^[0-9]{1,15}$/.test(value) || (contentLength !== -1 && contentLength !== Number(value))) {
        throw new ResponseHeadError(
          `header Content-Length: ${JSON.stringify(value)} is not one non-negative integer`,
        );
      }
      contentLength = Number(value);
    } else if (kind === contentTypeHeader) {
      hasContentType = true;
    } else if (kind === serverHeader) {
      hasServer = true;
    }
    flat.push(name, value);
  }
  return { code, reason, headers: flat, contentLength, hasContentType, hasServer };
}

interface Status {
  readonly code: number;
  readonly reason: string;
}

/** Applications send a handful of distinct statuses: each is parsed once (bounded: statuses are app input). */
const statuses = new Map<string, Status>();
const cacheLimit = 256;

function parseStatus(statusLine: unknown): Status {
  if (typeof statusLine !== 'string') {
    throw new ResponseHeadError(`status must be a string like "200 OK", got ${typeof statusLine}`);
  }
  const cached = statuses.get(statusLine);
  if (cached !== undefined) return cached;
  const match = status.exec(statusLine);
  if (match === null) {
    throw new ResponseHeadError(
      `status must be "NNN Reason" (three digits, a space, a reason), got ${JSON.stringify(statusLine)}`,
    );
  }
  const code = Number(match[1]);
  if (code < 200) {
    throw new ResponseHeadError(`status ${code}: an application cannot send an interim (1xx) response`);
  }
  const reason = match[2] ?? reasonPhrase(code);
  if (hasInvalidFieldCharacter(reason)) {
    throw new ResponseHeadError(
      `status reason ${JSON.stringify(reason)} contains a control or non-latin-1 character`,
    );
  }
  const parsed = { code, reason };
  if (statuses.size < cacheLimit) statuses.set(statusLine, parsed);
  return parsed;
}

const otherHeader = 0;
const contentLengthHeader = 1;
const contentTypeHeader = 2;
const serverHeader = 3;
/** Header names seen (valid, not hop-by-hop) → what the gateway must know about them. Bounded. */
const headerKinds = new Map<string, number>();

/** Checks a header name (throws) and classifies it. */
function headerKind(name: unknown): number {
  if (typeof name === 'string') {
    const cached = headerKinds.get(name);
    if (cached !== undefined) return cached;
  }
  if (typeof name !== 'string' || !isToken(name)) {
    throw new ResponseHeadError(`header name ${JSON.stringify(name)} is not an HTTP token`);
  }
  const lower = name.toLowerCase();
  if (hopByHopHeaders.has(lower)) {
    throw new ResponseHeadError(
      `header ${name} is hop-by-hop: the server manages the connection, not the application`,
    );
  }
  const kind =
    lower === 'content-length'
      ? contentLengthHeader
      : lower === 'content-type'
        ? contentTypeHeader
        : lower === 'server'
          ? serverHeader
          : otherHeader;
  if (headerKinds.size < cacheLimit) headerKinds.set(name, kind);
  return kind;
}

/**
 * The headers the gateway sends: the application's, plus `Server` and a default `Content-Type` when absent, and
 * `Content-Length` when the body's length is known (`computedLength` ≥ 0) and the application gave none. A 204
 * never carries `Content-Length` or an invented `Content-Type`; a 304 keeps the application's but gets none
 * invented.
 */
export function finalHeaders(
  head: ResponseHead,
  computedLength: number,
  serverSoftware: string,
  defaultContentType: string | null,
): string[] {
  const headers = head.headers;
  if (head.code === 204 && head.contentLength !== -1) {
    for (let index = headers.length - 2; index >= 0; index -= 2) {
      if (headers[index]!.toLowerCase() === 'content-length') headers.splice(index, 2);
    }
  }
  if (!head.hasServer && serverSoftware !== '') headers.push('Server', serverSoftware);
  if (statusHasNoBody(head.code)) return headers;
  if (!head.hasContentType && defaultContentType !== null) headers.push('Content-Type', defaultContentType);
  if (computedLength >= 0 && head.contentLength === -1)
    headers.push('Content-Length', String(computedLength));
  return headers;
}

/**
 * A strict HTTP/1.1 response reader for raw bytes, the way a proxy in front of tsgi would read them: it splits what
 * the server sent into responses by their framing (RFC 9112 §6.3) and reports anything a proxy could misread.
 */

export interface WireResponse {
  version: string;
  status: number;
  reason: string;
  /** Header lines in order, names as sent. */
  headers: [name: string, value: string][];
  body: Buffer;
  /** How the body was delimited. */
  framing: 'none' | 'content-length' | 'chunked' | 'close';
  /** False when the bytes ran out before the framing said the response ends (a truncated, aborted response). */
  complete: boolean;
}

export interface WireParse {
  responses: WireResponse[];
  /** Final (non-1xx) responses only. */
  finals: WireResponse[];
  /** Bytes after the last complete response that do not form a response (a proxy would see garbage). */
  trailing: Buffer;
  /** Why parsing stopped early, if the bytes broke HTTP/1.1 (bad status line, bad header line, bad chunk). */
  error?: string;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Header value of `name` (last one), case-insensitive. */
export function header(response: WireResponse, name: string): string | undefined {
  const lower = name.toLowerCase();
  let found: string | undefined;
  for (const [key, value] of response.headers) if (key.toLowerCase() === lower) found = value;
  return found;
}

function headerCount(response: WireResponse, name: string): number {
  const lower = name.toLowerCase();
  return response.headers.filter(([key]) => key.toLowerCase() === lower).length;
}

function bodyless(status: number, method: string): boolean {
  return method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);
}

/**
 * Parses everything a server sent on one connection. `methods` gives the request method of each final response in
 * order (for HEAD); missing entries count as GET. `closed` says whether the server closed the connection, which is
 * what ends a close-delimited body.
 */
export function parseResponses(data: Buffer, methods: string[] = [], closed = true): WireParse {
  const responses: WireResponse[] = [];
  const finals: WireResponse[] = [];
  let offset = 0;
  const fail = (error: string): WireParse => ({
    responses,
    finals,
    trailing: data.subarray(offset),
    error,
  });
  while (offset < data.length) {
    const headEnd = data.indexOf('\r\n\r\n', offset, 'latin1');
    if (headEnd === -1) return fail('incomplete or malformed response head');
    const head = data.subarray(offset, headEnd).toString('latin1');
    const lines = head.split('\r\n');
    const statusLine = /^(HTTP\/1\.[01]) (\d{3}) ([^\r\n]*)$/.exec(lines[0] ?? '');
    if (statusLine === null) return fail(`bad status line ${JSON.stringify(lines[0])}`);
    const headers: [string, string][] = [];
    for (const line of lines.slice(1)) {
      if (/[\r\n\0]/.test(line)) return fail(`control character in header line ${JSON.stringify(line)}`);
      const colon = line.indexOf(':');
      const name = line.slice(0, colon);
      if (colon <= 0 || !TOKEN.test(name)) return fail(`bad header line ${JSON.stringify(line)}`);
      headers.push([name, line.slice(colon + 1).trim()]);
    }
    const status = Number(statusLine[2]);
    const response: WireResponse = {
      version: statusLine[1]!,
      status,
      reason: statusLine[3]!,
      headers,
      body: Buffer.alloc(0),
      framing: 'none',
      complete: true,
    };
    offset = headEnd + 4;
    responses.push(response);
    const method = status >= 200 ? (methods[finals.length] ?? 'GET') : 'GET';
    if (status >= 200) finals.push(response);
    if (bodyless(status, method)) continue;
    const transferEncoding = header(response, 'transfer-encoding');
    const contentLength = header(response, 'content-length');
    if (transferEncoding !== undefined && contentLength !== undefined) {
      return fail('response has both Transfer-Encoding and Content-Length');
    }
    if (headerCount(response, 'content-length') > 1) return fail('response repeats Content-Length');
    if (transferEncoding !== undefined) {
      if (transferEncoding.toLowerCase() !== 'chunked') return fail(`response TE ${transferEncoding}`);
      response.framing = 'chunked';
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = data.indexOf('\r\n', offset, 'latin1');
        if (lineEnd === -1) {
          response.complete = false;
          offset = data.length;
          break;
        }
        const sizeText = data.subarray(offset, lineEnd).toString('latin1');
        if (!/^[0-9a-fA-F]+$/.test(sizeText)) return fail(`bad chunk size ${JSON.stringify(sizeText)}`);
        const size = Number.parseInt(sizeText, 16);
        offset = lineEnd + 2;
        if (size === 0) {
          // No trailers from tsgi: the last chunk is followed by an empty line.
          if (data.length < offset + 2) {
            response.complete = false;
            offset = data.length;
          } else if (data.subarray(offset, offset + 2).toString('latin1') !== '\r\n') {
            return fail('bad chunked terminator');
          } else {
            offset += 2;
          }
          break;
        }
        if (data.length < offset + size + 2) {
          parts.push(data.subarray(offset, Math.min(data.length, offset + size)));
          response.complete = false;
          offset = data.length;
          break;
        }
        parts.push(data.subarray(offset, offset + size));
        offset += size;
        if (data.subarray(offset, offset + 2).toString('latin1') !== '\r\n')
          return fail('chunk without CRLF');
        offset += 2;
      }
      response.body = Buffer.concat(parts);
    } else if (contentLength !== undefined) {
      if (!/^\d+$/.test(contentLength)) return fail(`bad Content-Length ${contentLength}`);
      response.framing = 'content-length';
      const length = Number(contentLength);
      response.body = data.subarray(offset, Math.min(data.length, offset + length));
      response.complete = data.length >= offset + length;
      offset = Math.min(data.length, offset + length);
    } else {
      response.framing = 'close';
      response.body = data.subarray(offset);
      response.complete = closed;
      offset = data.length;
    }
  }
  return { responses, finals, trailing: data.subarray(offset) };
}

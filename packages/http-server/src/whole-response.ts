import { statusHasNoBody } from '@tsgi/protocol';

/**
 * What `connection.respond(code, body?, headers?)` sends, for any connection that offers `respond`: a string
 * body is UTF-8 with a default `Content-Type: text/plain; charset=utf-8`, and `Content-Length` is computed
 * (except where a response carries none: 1xx, 204 and 304).
 */
export function wholeResponse(
  code: number,
  body?: string | Uint8Array,
  headers?: readonly string[] | Record<string, string>,
): { headers: string[]; body: Uint8Array | undefined } {
  const flat: string[] =
    headers === undefined ? [] : Array.isArray(headers) ? [...headers] : Object.entries(headers).flat();
  let bytes: Uint8Array | undefined;
  if (typeof body === 'string') {
    bytes = encoder.encode(body);
    if (!flat.some((value, index) => index % 2 === 0 && value.toLowerCase() === 'content-type')) {
      flat.push('Content-Type', 'text/plain; charset=utf-8');
    }
  } else {
    bytes = body;
  }
  if (!statusHasNoBody(code)) flat.push('Content-Length', String(bytes?.length ?? 0));
  return { headers: flat, body: bytes };
}

const encoder = new TextEncoder();

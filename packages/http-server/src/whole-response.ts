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
  // Plain loops: this runs for every native response, and spreads, `entries().flat()` and closures all allocate.
  const flat: string[] = [];
  let hasContentType = false;
  if (Array.isArray(headers)) {
    for (let index = 0; index < headers.length; index++) flat.push(headers[index]);
  } else if (headers !== undefined) {
    for (const name of Object.keys(headers)) flat.push(name, (headers as Record<string, string>)[name]!);
  }
  let bytes: Uint8Array | undefined;
  if (typeof body === 'string') {
    bytes = encoder.encode(body);
    for (let index = 0; index < flat.length; index += 2) {
      const name = flat[index]!;
      if (name.length === 12 && (name === 'Content-Type' || name.toLowerCase() === 'content-type')) {
        hasContentType = true;
        break;
      }
    }
    if (!hasContentType) flat.push('Content-Type', 'text/plain; charset=utf-8');
  } else {
    bytes = body;
  }
  if (!statusHasNoBody(code)) flat.push('Content-Length', String(bytes?.length ?? 0));
  return { headers: flat, body: bytes };
}

const encoder = new TextEncoder();

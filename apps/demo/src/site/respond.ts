/** How the demo's gateway pages answer: a complete body with its length, through `startResponse`. */
import type { ResponseIterable, StartResponse } from '@tsgi/environ';
import { escapeHTML, page } from './html.js';

const encoder = new TextEncoder();

/** Sends `body` with `status` (e.g. `"200 OK"`), a Content-Type and a Content-Length. */
export function respond(
  startResponse: StartResponse,
  status: string,
  contentType: string,
  body: string | Uint8Array,
  headers: ReadonlyArray<readonly [string, string]> = [],
): ResponseIterable {
  const bytes = typeof body === 'string' ? encoder.encode(body) : body;
  startResponse(status, [
    ['Content-Type', contentType],
    ['Content-Length', String(bytes.length)],
    ...headers,
  ]);
  return [bytes];
}

/** An HTML page. */
export function respondHTML(
  startResponse: StartResponse,
  status: string,
  html: string,
  headers: ReadonlyArray<readonly [string, string]> = [],
): ResponseIterable {
  return respond(startResponse, status, 'text/html; charset=utf-8', html, headers);
}

/** An error page that says what went wrong, in words a visitor understands. */
export function respondError(
  startResponse: StartResponse,
  status: string,
  explanation: string,
  headers: ReadonlyArray<readonly [string, string]> = [],
): ResponseIterable {
  const body = `<p class="error">${escapeHTML(explanation)}</p>\n<p><a href="/">Back to the front page</a></p>`;
  return respondHTML(startResponse, status, page(status, body), headers);
}

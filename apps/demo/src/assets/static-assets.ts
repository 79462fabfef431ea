/**
 * The files every page links: the stylesheet, the icon, and `/favicon.ico`. A native handler on the event loop
 * sends them (a few kilobytes built once at start-up need no worker thread), with an `ETag` so that a browser
 * revalidates instead of downloading them again.
 */
import { createHash } from 'node:crypto';
import type { HTTPServerRequest } from '@tsgi/http-server';
import { icoFromPNG, iconPNG, iconSize } from './icon.js';
import stylesheet from './site.css';

interface Asset {
  readonly body: Uint8Array;
  readonly type: string;
  readonly etag: string;
}

function asset(body: Uint8Array, type: string): Asset {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { body, type, etag };
}

/**
 * Builds the files (the stylesheet is bundled in as text; the icon is drawn here) and returns the handler for
 * `GET /static/…` and `GET /favicon.ico`. Called once, at start-up.
 */
export function staticAssets(): (request: HTTPServerRequest) => Promise<void> {
  const icon = iconPNG();
  const assets = new Map([
    ['/static/site.css', asset(new TextEncoder().encode(stylesheet), 'text/css; charset=utf-8')],
    ['/static/icon.png', asset(icon, 'image/png')],
    ['/favicon.ico', asset(icoFromPNG(icon, iconSize), 'image/x-icon')],
  ]);
  return (request) => {
    const connection = request.connection;
    const found = assets.get(request.path);
    if (found === undefined) return connection.respond(404, `There is no file at ${request.path}\n`);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return connection.respond(405, `${request.method} is not allowed here\n`, { Allow: 'GET, HEAD' });
    }
    // `no-cache`: keep it, but ask each time; the 304 answer is a few bytes, and a rebuilt demo shows at once.
    const headers = { ETag: found.etag, 'Cache-Control': 'no-cache' };
    const ifNoneMatch = request.headers
      .get('if-none-match')
      ?.split(',')
      .map((tag) => tag.trim());
    if (ifNoneMatch?.includes(found.etag) || ifNoneMatch?.includes('*')) {
      return connection.respond(304, undefined, headers);
    }
    return connection.respond(200, found.body, { 'Content-Type': found.type, ...headers });
  };
}

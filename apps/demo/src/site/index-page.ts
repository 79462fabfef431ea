/** The front page: links to every part of the demo and says what each one shows. */
import type { Environ, ResponseIterable, StartResponse } from '@tsgi/environ';
import { escapeHTML, page } from './html.js';
import { respondHTML } from './respond.js';
import { describeThread } from './thread.js';

export function indexPage(environ: Environ, startResponse: StartResponse): ResponseIterable {
  const base = environ.SCRIPT_NAME;
  const link = (path: string, text: string) => `<a href="${escapeHTML(base + path)}">${escapeHTML(text)}</a>`;
  const body = `
<p>A small site served by <strong>tsgi</strong>: synchronous gateway applications (PEP 3333, "WSGI", in
TypeScript) and a native async route, side by side in one Node.js server. This page came from the gateway
application, on ${escapeHTML(describeThread())}${environ['wsgi.multithread'] ? ' of the thread pool' : ''}.</p>
<ul id="parts">
<li>${link('/environ', 'Environ inspector')}: the environ dictionary the application received — CGI keys as
  latin-1 "WSGI strings" (decoded as UTF-8 for display), <code>wsgi.*</code> keys, request headers as
  <code>HTTP_*</code>.</li>
<li>${link('/guestbook', 'Guestbook')}: a form whose body the application reads from <code>wsgi.input</code>;
  a bad post gets a clear 4xx page and loses nothing already stored.</li>
<li>${link('/mandelbrot', 'Mandelbrot')}: CPU-heavy, synchronous drawing of a PNG. With
  <code>--executor thread</code> it runs on a worker thread, so the server keeps answering.</li>
<li><a href="/live">Live clock</a>: a native async handler (server-sent events) in the same router, with a live
  request counter. It keeps ticking while a Mandelbrot renders on the pool; with <code>--executor inline</code>
  it stalls — the reason to mix the two.</li>
<li><a href="/legacy/">/legacy/</a>: a second gateway application mounted under a prefix: it receives
  <code>SCRIPT_NAME=/legacy</code> and builds its links from it.</li>
<li><a href="/flask/">/flask/</a>: a real <strong>Flask</strong> application in Python (CPython on Pyodide, on
  a worker thread of its own) mounted beside the TypeScript apps.</li>
</ul>`;
  return respondHTML(startResponse, '200 OK', page('tsgi demo', body, `${base}/`));
}

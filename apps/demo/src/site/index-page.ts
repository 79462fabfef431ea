/** The front page: a card for every part of the demo, saying what it shows and what serves it. */
import type { Environ, ResponseIterable, StartResponse } from '@tsgi/environ';
import { escapeHTML, page } from './html.js';
import { respondHTML } from './respond.js';
import { describeThread } from './thread.js';

interface Part {
  readonly href: string;
  readonly title: string;
  readonly servedBy: string;
  /** HTML. */
  readonly description: string;
}

const parts: readonly Part[] = [
  {
    href: '/environ',
    title: 'Environ inspector',
    servedBy: 'gateway application',
    description: `Every key the application received: CGI values as latin-1 "WSGI strings" (decoded as UTF-8
      for display), the <code>wsgi.*</code> keys, request headers as <code>HTTP_*</code>.`,
  },
  {
    href: '/guestbook',
    title: 'Guestbook',
    servedBy: 'gateway application',
    description: `A form whose body the application reads from <code>wsgi.input</code> itself. A bad post gets a
      4xx page that says why, and nothing already stored is lost.`,
  },
  {
    href: '/mandelbrot',
    title: 'Mandelbrot',
    servedBy: 'gateway application, CPU-bound',
    description: `A picture drawn pixel by pixel and encoded as PNG, synchronously. On the thread pool it blocks
      one worker thread, never the server.`,
  },
  {
    href: '/live',
    title: 'Live clock',
    servedBy: 'native async handler',
    description: `Server-sent events in the same router. The clock keeps ticking while a Mandelbrot renders on
      the pool; with <code>--executor inline</code> it stalls: the reason to mix the two.`,
  },
  {
    href: '/legacy/',
    title: 'Mounted application',
    servedBy: 'second gateway application, inline',
    description: `An application mounted under <code>/legacy</code>: it receives
      <code>SCRIPT_NAME=/legacy</code> and builds every link from it.`,
  },
  {
    href: '/flask/',
    title: 'Flask',
    servedBy: 'Python WSGI application, on Pyodide',
    description: `A real <strong>Flask</strong> application in Python (CPython in WebAssembly, on a worker thread
      of its own), mounted under <code>/flask</code> beside the TypeScript applications.`,
  },
];

export function indexPage(environ: Environ, startResponse: StartResponse): ResponseIterable {
  const pool = environ['wsgi.multithread'] ? ' of the thread pool' : '';
  const cards = parts
    .map(
      (part) => `<li class="panel">
<h2><a href="${escapeHTML(part.href)}">${escapeHTML(part.title)}</a></h2>
<span class="badge">${escapeHTML(part.servedBy)}</span>
<p>${part.description}</p>
</li>`,
    )
    .join('\n');
  const body = `
<p class="served-by">This page came from the gateway application, on ${escapeHTML(describeThread())}${pool}.</p>
<ul class="cards" id="parts">
${cards}
</ul>`;
  return respondHTML(
    startResponse,
    '200 OK',
    page('tsgi demo', body, {
      current: '/',
      lead: `Synchronous gateway applications (PEP 3333, "WSGI", in TypeScript) and native async handlers,
        side by side in one Node.js server. Pick a part:`,
    }),
  );
}

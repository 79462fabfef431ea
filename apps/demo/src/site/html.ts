/** HTML helpers shared by the demo's pages: escaping, and the one layout every page uses. */
import { describeThread } from './thread.js';

const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for an HTML element or a quoted attribute. */
export function escapeHTML(text: string): string {
  return text.replace(/[&<>"']/g, (character) => escapes[character]!);
}

/**
 * The pages in the header's navigation, in order (the brand links home). A new part of the demo adds its entry
 * here; `current` in `page()` names the entry to highlight.
 */
export const siteNavigation: ReadonlyArray<{ readonly href: string; readonly label: string }> = [
  { href: '/environ', label: 'Environ' },
  { href: '/guestbook', label: 'Guestbook' },
  { href: '/mandelbrot', label: 'Mandelbrot' },
  { href: '/live', label: 'Live clock' },
  { href: '/legacy/', label: 'Mounted app' },
  { href: '/flask/', label: 'Flask' },
];

export interface PageOptions {
  /** The navigation entry (`siteNavigation` href) this page belongs to; `'/'` for the front page. */
  readonly current?: string;
  /** A sentence under the title, as HTML the caller already escaped. */
  readonly lead?: string;
}

function navigation(current: string | undefined): string {
  const items = siteNavigation
    .map(({ href, label }) => {
      const here = href === current ? ' aria-current="page"' : '';
      return `<li><a href="${escapeHTML(href)}"${here}>${escapeHTML(label)}</a></li>`;
    })
    .join('');
  return `<nav class="site-nav" aria-label="Demo pages"><ul>${items}</ul></nav>`;
}

/** A whole page: `title` is text (escaped here), `body` is HTML the caller already escaped. */
export function page(title: string, body: string, options: PageOptions = {}): string {
  const home = options.current === '/' ? ' aria-current="page"' : '';
  const lead = options.lead === undefined ? '' : `\n<p class="lead">${options.lead}</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHTML(title === 'tsgi demo' ? title : `${title} · tsgi demo`)}</title>
<link rel="icon" href="/favicon.ico" sizes="64x64">
<link rel="stylesheet" href="/static/site.css">
</head>
<body>
<header class="site-header"><div class="inner">
<a class="brand" href="/"${home}><img src="/static/icon.png" alt="" width="32" height="32">tsgi <span class="tag">demo</span></a>
${navigation(options.current)}
</div></header>
<main>
<h1>${escapeHTML(title)}</h1>${lead}
${body}
</main>
<footer class="site-footer"><div class="inner">
<p>Served by tsgi, on ${escapeHTML(describeThread())}. <a href="https://github.com/tsgi/tsgi">Source and docs</a>.</p>
</div></footer>
</body>
</html>
`;
}

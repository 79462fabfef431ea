/**
 * The environ inspector: an HTML table of exactly what the application received. CGI values are WSGI strings
 * (one code unit per request byte), so they are decoded as UTF-8 for display; a value with bytes outside ASCII
 * also shows those bytes, so a visitor can see what really arrived.
 */
import type { Environ, ResponseIterable, StartResponse } from '@tsgi/environ';
import { wsgiStringToText } from '@tsgi/environ';
import { escapeHTML, page } from './html.js';
import { respondHTML } from './respond.js';

function describeValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(String).join(', ')}]`;
  if (typeof value === 'object' && value !== null) return `${value.constructor?.name ?? 'Object'} object`;
  return String(value);
}

function escapedBytes(value: string): string {
  let text = '';
  for (const character of value) {
    const code = character.charCodeAt(0);
    text += code >= 0x20 && code < 0x7f ? character : `\\x${code.toString(16).padStart(2, '0')}`;
  }
  return text;
}

function row(key: string, value: unknown): string {
  const raw = describeValue(value);
  const shown = typeof value === 'string' ? wsgiStringToText(value) : raw;
  const hasOtherBytes = typeof value === 'string' && /[^\x20-\x7e]/.test(value);
  const bytes = hasOtherBytes ? `<br><span class="note">bytes: ${escapeHTML(escapedBytes(raw))}</span>` : '';
  // An empty string is shown as "", so that it reads differently from a key that is absent.
  const text = shown === '' ? '<span class="note">""</span>' : escapeHTML(shown);
  return `<tr><th>${escapeHTML(key)}</th><td>${text}${bytes}</td></tr>`;
}

/** The environ's keys in three groups, each sorted: what a visitor looks for first comes first. */
function groups(environ: Environ): Array<[string, string[]]> {
  const keys = Object.keys(environ).sort();
  const headers = keys.filter((key) => key.startsWith('HTTP_'));
  const wsgi = keys.filter((key) => key.startsWith('wsgi.'));
  const cgi = keys.filter((key) => !key.startsWith('HTTP_') && !key.startsWith('wsgi.'));
  return [
    ['The request (CGI variables)', cgi],
    ['Request headers (HTTP_*)', headers],
    ['The server (wsgi.*)', wsgi],
  ];
}

export function environPage(environ: Environ, startResponse: StartResponse): ResponseIterable {
  const scriptName = environ.SCRIPT_NAME;
  const rows = groups(environ)
    .map(
      ([title, keys]) =>
        `<tr class="group"><th colspan="2">${escapeHTML(title)}</th></tr>\n` +
        keys.map((key) => row(key, environ[key])).join('\n'),
    )
    .join('\n');
  const examples = [
    `${scriptName}/environ?name=J%C3%BCrgen&city=K%C3%B8benhavn`,
    `${scriptName}/environ/caf%C3%A9/%E2%82%AC`,
  ]
    .map((href) => `<li><a href="${escapeHTML(href)}">${escapeHTML(href)}</a></li>`)
    .join('');
  const body = `
<p>Try non-ASCII in the path or the query:</p>
<ul>${examples}</ul>
<div class="table-scroll">
<table class="kv" id="environ">
<tbody>
${rows}
</tbody>
</table>
</div>`;
  return respondHTML(
    startResponse,
    '200 OK',
    page('Environ inspector', body, {
      current: '/environ',
      lead: `Everything the gateway application received for this request. CGI values are <em>WSGI
        strings</em>: each request byte is one character (latin-1), as PEP 3333 requires, so they are decoded as
        UTF-8 here, and a value with bytes outside ASCII also shows the bytes.`,
    }),
  );
}

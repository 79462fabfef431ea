/**
 * The "legacy" application, mounted under `/legacy`: the router strips the prefix into `SCRIPT_NAME`, and the
 * application builds every link from `SCRIPT_NAME`, so it works under any prefix without knowing it. It is a
 * plain function on the inline executor: cheap pages need no thread.
 */
import type { WSGIApplication } from '@tsgi/environ';
import { wsgiStringToText } from '@tsgi/environ';
import { escapeHTML, page } from '../site/html.js';
import { respondError, respondHTML } from '../site/respond.js';

const pages = new Map<string, string>([
  ['/', 'Home'],
  ['/about', 'About'],
  ['/reports/2024', 'Reports for 2024'],
]);

export const legacyApp: WSGIApplication = (environ, startResponse) => {
  const scriptName = environ.SCRIPT_NAME;
  const path = environ.PATH_INFO || '/';
  const title = pages.get(path);
  if (!title) {
    return respondError(
      startResponse,
      '404 Not Found',
      `The legacy application has no page at ${wsgiStringToText(path)}.`,
    );
  }
  const links = [...pages]
    .map(([target, text]) => `<li><a href="${escapeHTML(scriptName + target)}">${escapeHTML(text)}</a></li>`)
    .join('');
  const body = `
<p>This application is mounted under a prefix. It received:</p>
<div class="table-scroll">
<table class="kv" id="mount">
<tr><th>SCRIPT_NAME</th><td id="script-name">${escapeHTML(wsgiStringToText(scriptName))}</td></tr>
<tr><th>PATH_INFO</th><td id="path-info">${escapeHTML(wsgiStringToText(path))}</td></tr>
</table>
</div>
<p>Its links are built as <code>SCRIPT_NAME + path</code>, so they stay inside the mount:</p>
<ul>${links}</ul>`;
  return respondHTML(
    startResponse,
    '200 OK',
    page(`Mounted app: ${title}`, body, {
      current: '/legacy/',
      lead: 'A second gateway application, a plain function on the inline executor: cheap pages need no thread.',
    }),
  );
};

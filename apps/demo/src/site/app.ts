/**
 * The demo's gateway application, in the plain protocol with no framework: `(environ, startResponse)` routed by
 * `PATH_INFO`. It is its own build entry (`dist/app.js`) because worker threads import it by module reference.
 */
import type { WSGIApplication } from '@tsgi/environ';
import { wsgiStringToText } from '@tsgi/environ';
import { environPage } from './environ-page.js';
import { guestbookPage } from './guestbook.js';
import { indexPage } from './index-page.js';
import { mandelbrotPage, mandelbrotPNG } from './mandelbrot-page.js';
import { respondError } from './respond.js';

const pages = new Map<string, WSGIApplication>([
  ['/', indexPage],
  ['/environ', environPage],
  ['/guestbook', guestbookPage],
  ['/mandelbrot', mandelbrotPage],
  ['/mandelbrot.png', mandelbrotPNG],
]);

export const app: WSGIApplication = (environ, startResponse) => {
  const path = environ.PATH_INFO || '/';
  // The inspector also answers below its path, to show how PATH_INFO carries any (percent-decoded) bytes.
  const handler = pages.get(path) ?? (path.startsWith('/environ/') ? environPage : undefined);
  if (!handler) {
    return respondError(
      startResponse,
      '404 Not Found',
      `There is no page at ${wsgiStringToText(environ.SCRIPT_NAME + path)}.`,
    );
  }
  if (handler !== guestbookPage && environ.REQUEST_METHOD !== 'GET' && environ.REQUEST_METHOD !== 'HEAD') {
    return respondError(
      startResponse,
      '405 Method Not Allowed',
      `${environ.REQUEST_METHOD} is not allowed here.`,
      [['Allow', 'GET, HEAD']],
    );
  }
  return handler(environ, startResponse);
};

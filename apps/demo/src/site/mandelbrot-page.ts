/**
 * The CPU-heavy pages: `/mandelbrot` (a form and the picture) and `/mandelbrot.png` (the picture itself, drawn
 * and encoded synchronously on whichever thread runs the application).
 */
import type { Environ, ResponseIterable, StartResponse } from '@tsgi/environ';
import { wsgiStringToBytes } from '@tsgi/environ';
import { escapeHTML, page } from './html.js';
import { type MandelbrotOptions, mandelbrotLimits, renderMandelbrot } from './mandelbrot.js';
import { encodePNG } from './png.js';
import { respond, respondError, respondHTML } from './respond.js';
import { describeThread } from './thread.js';
import { MalformedFormError, parseURLEncoded } from './urlencoded.js';

/** A query the picture cannot be drawn from; the message says which parameter and why. */
class BadQuery extends Error {}

function parseOptions(queryString: string): MandelbrotOptions {
  let query: Map<string, string[]>;
  try {
    query = parseURLEncoded(wsgiStringToBytes(queryString));
  } catch (error) {
    if (error instanceof MalformedFormError)
      throw new BadQuery(`The query string is malformed: ${error.message}.`);
    throw error;
  }
  const read = (name: keyof typeof mandelbrotLimits): number => {
    const limits = mandelbrotLimits[name];
    const text = query.get(name)?.[0];
    if (text === undefined || text === '') return limits.default;
    if (!/^\d+$/.test(text)) throw new BadQuery(`${name} must be a whole number, not "${text}".`);
    const value = Number(text);
    if (value < limits.min || value > limits.max) {
      throw new BadQuery(
        `${name} must be between ${limits.min} and ${limits.max}; ${value} is out of range.`,
      );
    }
    return value;
  };
  return { width: read('width'), height: read('height'), iterations: read('iterations') };
}

function describeLimits(): string {
  return Object.entries(mandelbrotLimits)
    .map(([name, limits]) => `${name} ${limits.min}–${limits.max} (default ${limits.default})`)
    .join(', ');
}

/** A page drawn from the query's options; a query beyond the limits gets a 400 that lists them. */
type MandelbrotHandler = (
  options: MandelbrotOptions,
  environ: Environ,
  startResponse: StartResponse,
) => ResponseIterable;

function withOptions(handler: MandelbrotHandler) {
  return (environ: Environ, startResponse: StartResponse): ResponseIterable => {
    let options: MandelbrotOptions;
    try {
      options = parseOptions(environ.QUERY_STRING);
    } catch (error) {
      if (!(error instanceof BadQuery)) throw error;
      return respondError(startResponse, '400 Bad Request', `${error.message} Limits: ${describeLimits()}.`);
    }
    return handler(options, environ, startResponse);
  };
}

export const mandelbrotPNG = withOptions((options, _environ, startResponse) => {
  const started = performance.now();
  const png = encodePNG(renderMandelbrot(options));
  const milliseconds = (performance.now() - started).toFixed(1);
  return respond(startResponse, '200 OK', 'image/png', png, [
    ['Cache-Control', 'no-store'],
    ['X-Rendered-On', describeThread()],
    ['X-Render-Time', `${milliseconds}ms`],
  ]);
});

export const mandelbrotPage = withOptions((options, environ, startResponse) => {
  const { width, height, iterations } = options;
  const source = `${environ.SCRIPT_NAME}/mandelbrot.png?width=${width}&height=${height}&iterations=${iterations}`;
  const input = (name: keyof MandelbrotOptions) => {
    const limits = mandelbrotLimits[name];
    return `<label>${name} <input type="number" name="${name}" min="${limits.min}" max="${limits.max}" value="${options[name]}" inputmode="numeric"></label>`;
  };
  const body = `
<form method="get" class="panel fields">${input('width')} ${input('height')} ${input('iterations')}
<button type="submit">Draw</button></form>
<p class="note">Limits: ${escapeHTML(describeLimits())}; beyond them the picture answers 400.</p>
<p><img class="picture" id="mandelbrot" src="${escapeHTML(source)}" width="${width}" height="${height}" alt="The Mandelbrot set, ${width} by ${height} pixels"></p>`;
  return respondHTML(
    startResponse,
    '200 OK',
    page('Mandelbrot', body, {
      current: '/mandelbrot',
      lead: `Drawn pixel by pixel and encoded as a PNG (<code>node:zlib</code>'s deflate and CRC-32), synchronously,
        by the gateway application. On the thread pool that blocks one worker thread, not the server: open
        <a href="/live">the live clock</a> beside it and watch it keep ticking.`,
    }),
  );
});

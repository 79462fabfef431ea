import type { EnvironVariables } from './types.js';

const HEX_DIGITS = '0123456789ABCDEF';

/** The value of a hexadecimal digit's character code, or -1. */
function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/**
 * Percent-decodes a raw (latin-1) URL component into a WSGI string: each `%XX` becomes the code unit of that
 * byte, every other code unit is kept as it is (raw bytes are already one code unit each, so nothing is
 * encoded twice). Invalid escapes (`%zz`, a trailing `%2`) are kept literally; `+` stays `+`.
 */
export function unquoteToWsgiString(raw: string): string {
  let percent = raw.indexOf('%');
  if (percent < 0) return raw;
  let result = '';
  let copied = 0;
  while (percent >= 0) {
    const high = hexValue(raw.charCodeAt(percent + 1));
    const low = high < 0 ? -1 : hexValue(raw.charCodeAt(percent + 2));
    if (low < 0) {
      percent = raw.indexOf('%', percent + 1);
      continue;
    }
    result += raw.slice(copied, percent) + String.fromCharCode(high * 16 + low);
    copied = percent + 3;
    percent = raw.indexOf('%', copied);
  }
  return result + raw.slice(copied);
}

/** RFC 3986 unreserved characters: never quoted (Python's `quote` "always safe" set). */
function isUnreserved(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) || // a-z
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x30 && code <= 0x39) || // 0-9
    code === 0x2d || // -
    code === 0x2e || // .
    code === 0x5f || // _
    code === 0x7e // ~
  );
}

/**
 * Percent-encodes the bytes of a WSGI string, like Python's `urllib.parse.quote(bytes, safe)`: unreserved
 * characters and those in `safe` (default `/`) stay, every other byte becomes `%XX`. Throws a `TypeError` for
 * a code unit above U+00FF.
 */
export function quoteWsgiString(value: string, safe = '/'): string {
  let result = '';
  let copied = 0;
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (isUnreserved(code) || (code < 0x80 && safe.includes(value[index]!))) continue;
    if (code > 0xff) throw new TypeError(`not a WSGI string: U+${code.toString(16)} at index ${index}`);
    result += value.slice(copied, index) + '%' + HEX_DIGITS[code >> 4] + HEX_DIGITS[code & 15];
    copied = index + 1;
  }
  return copied === 0 ? value : result + value.slice(copied);
}

/**
 * The request's URL, by PEP 3333's "URL Reconstruction" recipe: scheme, `HTTP_HOST` (or `SERVER_NAME` with
 * `SERVER_PORT` unless it is the scheme's default), the quoted `SCRIPT_NAME` and `PATH_INFO`, and
 * `?QUERY_STRING` when not empty. The result is a WSGI string (it may carry latin-1 from `HTTP_HOST`).
 */
export function reconstructUrl(environ: EnvironVariables): string {
  const scheme = environ['wsgi.url_scheme'];
  let url = scheme + '://';
  const host = environ.HTTP_HOST;
  if (host) {
    url += host;
  } else {
    url += environ.SERVER_NAME;
    const port = environ.SERVER_PORT;
    if (port !== (scheme === 'https' ? '443' : '80')) url += ':' + port;
  }
  url += quoteWsgiString(environ.SCRIPT_NAME ?? '');
  url += quoteWsgiString(environ.PATH_INFO ?? '');
  if (environ.QUERY_STRING) url += '?' + environ.QUERY_STRING;
  return url;
}

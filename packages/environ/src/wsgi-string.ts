/**
 * "WSGI strings" (PEP 3333 "Unicode Issues"): JavaScript strings that carry bytes, one code unit per byte
 * (latin-1, U+0000..U+00FF). CGI values in the environ are WSGI strings, so no byte of the request is lost;
 * these helpers convert them to and from bytes and UTF-8 text.
 */

const NON_LATIN1 = /[^\u0000-\u00ff]/;
/** `String.fromCharCode` takes its arguments on the stack: convert long byte runs in slices of this size. */
const FROM_CHAR_CODE_SLICE = 8192;
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');
const strictUtf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Whether `value` is a string whose every code unit is in U+0000..U+00FF (one byte each). */
export function isWsgiString(value: unknown): value is string {
  return typeof value === 'string' && !NON_LATIN1.test(value);
}

/** The bytes a WSGI string carries. Throws a `TypeError` for a code unit above U+00FF. */
export function wsgiStringToBytes(value: string): Uint8Array {
  const bytes = new Uint8Array(value.length);
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code > 0xff) {
      throw new TypeError(
        `not a WSGI string: U+${code.toString(16).toUpperCase().padStart(4, '0')} at index ${index} is not latin-1`,
      );
    }
    bytes[index] = code;
  }
  return bytes;
}

/** The WSGI string for some bytes: one code unit per byte. (`TextDecoder('latin1')` is windows-1252: not this.) */
export function bytesToWsgiString(bytes: Uint8Array): string {
  if (bytes.length <= FROM_CHAR_CODE_SLICE)
    return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let result = '';
  for (let start = 0; start < bytes.length; start += FROM_CHAR_CODE_SLICE) {
    const slice = bytes.subarray(start, start + FROM_CHAR_CODE_SLICE);
    result += String.fromCharCode.apply(null, slice as unknown as number[]);
  }
  return result;
}

/**
 * Decodes the bytes a WSGI string carries as UTF-8 text (e.g. `PATH_INFO` `"/cafÃ©"` → `"/café"`).
 * Invalid UTF-8 becomes U+FFFD, or throws a `TypeError` with `{ fatal: true }`.
 */
export function wsgiStringToText(value: string, options?: { readonly fatal?: boolean }): string {
  if (isAscii(value)) return value;
  const decoder = options?.fatal === true ? strictUtf8Decoder : utf8Decoder;
  return decoder.decode(wsgiStringToBytes(value));
}

/** Encodes text as UTF-8 and returns those bytes as a WSGI string (e.g. `"/café"` → `"/cafÃ©"`). */
export function textToWsgiString(text: string): string {
  return isAscii(text) ? text : bytesToWsgiString(utf8Encoder.encode(text));
}

/**
 * The environ key a request header lands in (PEP 3333, CGI): `Content-Type` → `CONTENT_TYPE`,
 * `Content-Length` → `CONTENT_LENGTH`, any other name → `HTTP_` + upper case with `-` as `_`
 * (`X-Forwarded-For` → `HTTP_X_FORWARDED_FOR`).
 */
export function headerKey(name: string): string {
  const upper = name.toUpperCase().replaceAll('-', '_');
  if (upper === 'CONTENT_TYPE' || upper === 'CONTENT_LENGTH') return upper;
  return 'HTTP_' + upper;
}

/**
 * The header name an environ key stands for, in canonical case (`HTTP_X_FORWARDED_FOR` → `X-Forwarded-For`,
 * `CONTENT_TYPE` → `Content-Type`), or `undefined` when the key is not a header's. Underscores in the original
 * name cannot be told from dashes: they come back as dashes.
 */
export function headerName(key: string): string | undefined {
  let rest: string;
  if (key === 'CONTENT_TYPE' || key === 'CONTENT_LENGTH') rest = key;
  else if (key.startsWith('HTTP_') && key.length > 5) rest = key.slice(5);
  else return undefined;
  return rest
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('-');
}

function isAscii(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    if (value.charCodeAt(index) > 0x7f) return false;
  }
  return true;
}

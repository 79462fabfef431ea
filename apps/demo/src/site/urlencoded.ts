/**
 * A strict `application/x-www-form-urlencoded` parser. `URLSearchParams` quietly turns bad escapes and invalid
 * UTF-8 into replacement characters; a guestbook should refuse such a post instead of storing mojibake.
 */

/** A form body (or query string) that is not valid urlencoded UTF-8. */
export class MalformedFormError extends Error {
  override readonly name = 'MalformedFormError';
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function isHexDigit(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

function decodeComponent(bytes: Uint8Array): string {
  const decoded = new Uint8Array(bytes.length);
  let length = 0;
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index]!;
    if (byte === 0x2b /* + */) {
      decoded[length++] = 0x20;
    } else if (byte === 0x25 /* % */) {
      const high = bytes[index + 1];
      const low = bytes[index + 2];
      if (high === undefined || low === undefined || !isHexDigit(high) || !isHexDigit(low)) {
        throw new MalformedFormError('a "%" is not followed by two hex digits');
      }
      decoded[length++] = Number.parseInt(String.fromCharCode(high, low), 16);
      index += 2;
    } else {
      decoded[length++] = byte;
    }
  }
  try {
    return utf8.decode(decoded.subarray(0, length));
  } catch {
    throw new MalformedFormError('the form is not valid UTF-8');
  }
}

/** Parses urlencoded bytes into a map from each name to its values, in order. */
export function parseURLEncoded(body: Uint8Array): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  let start = 0;
  while (start <= body.length) {
    let end = body.indexOf(0x26 /* & */, start);
    if (end === -1) end = body.length;
    if (end > start) {
      const pair = body.subarray(start, end);
      const equals = pair.indexOf(0x3d /* = */);
      const name = decodeComponent(equals === -1 ? pair : pair.subarray(0, equals));
      const value = equals === -1 ? '' : decodeComponent(pair.subarray(equals + 1));
      const values = fields.get(name);
      if (values) values.push(value);
      else fields.set(name, [value]);
    }
    start = end + 1;
  }
  return fields;
}

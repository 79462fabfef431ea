/** Checks of header field names and values (RFC 9110 §5), the same for requests and responses. */

/** RFC 9110 `token`: what a field name (and a method) is made of. */
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Anything but HTAB, visible ASCII, SP and obs-text (U+0080..U+00FF): CR, LF, NUL, other controls, non-latin-1. */
const invalidValueCharacter = /[^\t\x20-\x7e\x80-\xff]/;

/** Whether `name` is an RFC 9110 token (a valid field name). */
export function isToken(name: string): boolean {
  return token.test(name);
}

/**
 * Whether `value` holds a character no field value may carry: CR, LF, NUL, another control character, or one
 * above U+00FF (a field value is latin-1 bytes).
 */
export function hasInvalidFieldCharacter(value: string): boolean {
  return invalidValueCharacter.test(value);
}

/**
 * Removes the optional whitespace around a field value (RFC 9110 §5.5): spaces and tabs only (`\xa0` is a valid
 * byte of a value). Returns `value` itself when there is none, which is nearly always.
 */
export function trimFieldValue(value: string): string {
  const length = value.length;
  if (length === 0) return value;
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(length - 1);
  if (first !== 0x20 && first !== 0x09 && last !== 0x20 && last !== 0x09) return value;
  let start = 0;
  let end = length;
  while (start < end && (value.charCodeAt(start) === 0x20 || value.charCodeAt(start) === 0x09)) start++;
  while (end > start && (value.charCodeAt(end - 1) === 0x20 || value.charCodeAt(end - 1) === 0x09)) end--;
  return value.slice(start, end);
}

/** Whether `value` is one or more ASCII digits (a `Content-Length`, a port). */
export function isDigits(value: string): boolean {
  if (value.length === 0) return false;
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

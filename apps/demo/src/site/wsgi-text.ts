// TEMPORARY until @tsgi/environ's helpers land on main.
/** A WSGI string (one code unit per byte) back to its bytes. */
export function wsgiStringToBytes(value: string): Uint8Array {
  const bytes = new Uint8Array(value.length);
  for (let index = 0; index < value.length; index++) bytes[index] = value.charCodeAt(index);
  return bytes;
}

const utf8 = new TextDecoder();
/** A WSGI string's bytes read as UTF-8 (invalid sequences become U+FFFD). */
export function wsgiStringToText(value: string): string {
  return utf8.decode(wsgiStringToBytes(value));
}

/**
 * Adds the cookies of one `Cookie` header's pairs to `cookies` (last one wins for a repeated name); surrounding
 * quotes are removed. `separator` splits the pairs: `;` for a header as sent, or a pattern that also splits the
 * `,` a gateway uses to join repeated headers.
 */
export function parseCookies(
  header: string,
  cookies: Record<string, string> = Object.create(null),
  separator: string | RegExp = ';',
): Record<string, string> {
  for (const pair of header.split(separator)) {
    const equals = pair.indexOf('=');
    const name = (equals === -1 ? '' : pair.slice(0, equals)).trim();
    let value = (equals === -1 ? pair : pair.slice(equals + 1)).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (name !== '' || value !== '') cookies[name] = value;
  }
  return cookies;
}

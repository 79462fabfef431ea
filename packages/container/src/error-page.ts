/** The short plain-text pages the container answers with when the application cannot. */

const encoder = new TextEncoder();

/** Status, headers and body of an error page; `detail` (a stack, a reason) is appended when given. */
export function errorPage(
  code: 400 | 404 | 500,
  serverSoftware: string,
  detail?: string,
): { code: number; reason: string; headers: string[]; body: Uint8Array } {
  const reason = code === 400 ? 'Bad Request' : code === 404 ? 'Not Found' : 'Internal Server Error';
  const body = encoder.encode(`${code} ${reason}\n${detail === undefined ? '' : `\n${detail}\n`}`);
  const headers = ['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(body.length)];
  if (serverSoftware !== '') headers.push('Server', serverSoftware);
  return { code, reason, headers, body };
}

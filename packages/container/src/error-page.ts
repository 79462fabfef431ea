/** The short plain-text pages the container answers with when the application cannot. */
import type { GatewayConnection } from './gateway-connection.js';

const encoder = new TextEncoder();
const reasons = {
  400: 'Bad Request',
  404: 'Not Found',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
} as const;

/** Status, headers and body of an error page; `detail` (a stack, a reason) is appended when given. */
function errorPage(
  code: 400 | 404 | 500 | 503,
  serverSoftware: string,
  detail?: string,
): { code: number; reason: string; headers: string[]; body: Uint8Array } {
  const reason = reasons[code];
  const body = encoder.encode(`${code} ${reason}\n${detail === undefined ? '' : `\n${detail}\n`}`);
  const headers = ['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(body.length)];
  if (serverSoftware !== '') headers.push('Server', serverSoftware);
  return { code, reason, headers, body };
}

/** Writes an error page and finishes the response. */
export function sendErrorPage(
  connection: GatewayConnection,
  code: 400 | 404 | 500 | 503,
  serverSoftware: string,
  detail?: string,
): void {
  const page = errorPage(code, serverSoftware, detail);
  connection.writeHeaders(page, page.headers, page.body).then(undefined, ignore);
  connection.finish();
}

function ignore(): void {}

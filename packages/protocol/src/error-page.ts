/**
 * The one error page: the short plain-text answer every tsgi layer sends when the application cannot answer
 * itself (the server's refusals, the container's 400/404/500/503, the router's 404, interop's 500).
 */
import type { GatewayConnection } from './gateway-connection.js';
import { reasonPhrase } from './status.js';

const encoder = new TextEncoder();

/** The page's text: `500: Internal Server Error`, then a blank line and `detail` (a stack, a reason) when given. */
export function errorPageText(code: number, detail?: string): string {
  const title = `${code}: ${reasonPhrase(code) || 'Error'}\n`;
  return detail === undefined ? title : `${title}\n${detail}\n`;
}

/** An error page ready to write: its start line, headers (flat `[name, value, …]`) and body. */
export interface ErrorPage {
  readonly code: number;
  readonly reason: string;
  readonly headers: string[];
  readonly body: Uint8Array;
}

/**
 * Status, headers and body of an error page: `Content-Type: text/plain; charset=utf-8`, its `Content-Length`,
 * and `Server: serverSoftware` unless that is `""`.
 */
export function errorPage(code: number, serverSoftware = '', detail?: string): ErrorPage {
  const body = encoder.encode(errorPageText(code, detail));
  const headers = ['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(body.length)];
  if (serverSoftware !== '') headers.push('Server', serverSoftware);
  return { code, reason: reasonPhrase(code), headers, body };
}

/** Writes an error page on `connection` and finishes the response (a failed write is the connection's to report). */
export function sendErrorPage(
  connection: GatewayConnection,
  code: number,
  serverSoftware = '',
  detail?: string,
): void {
  const page = errorPage(code, serverSoftware, detail);
  connection.writeHeaders(page, page.headers, page.body).then(undefined, ignore);
  connection.finish();
}

function ignore(): void {}

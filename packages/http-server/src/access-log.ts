import type { Logger } from './logger.js';

/** One finished (or aborted) request, as the access log sees it. */
export interface AccessLogEntry {
  /** The status sent; `0` when the connection was aborted before a status went out. */
  status: number;
  method: string;
  /** The raw request target. */
  uri: string;
  remoteIp: string;
  /** From the request's arrival to the end of its response. */
  durationMs: number;
}

/** Tornado's access line: `200 GET /a?x=1 (127.0.0.1) 1.23ms`. */
export function formatAccessLog(entry: AccessLogEntry): string {
  return `${entry.status} ${entry.method} ${entry.uri} (${entry.remoteIp}) ${entry.durationMs.toFixed(2)}ms`;
}

/** Writes the line at Tornado's level for the status: info below 400, warn below 500, error otherwise. */
export function logAccess(logger: Logger, entry: AccessLogEntry): void {
  const line = formatAccessLog(entry);
  if (entry.status < 400 && entry.status !== 0) logger.info(line);
  else if (entry.status < 500 && entry.status !== 0) logger.warn(line);
  else logger.error(line);
}

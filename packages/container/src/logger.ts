import type { GatewayRequest } from '@tsgi/environ';

/** Where the container logs: `console` satisfies it, and so do pino and most loggers. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Tornado's request summary: `GET /a?x=1 (127.0.0.1)`. */
export function requestSummary(request: GatewayRequest): string {
  return `${request.method} ${request.uri} (${request.remoteIp})`;
}

/**
 * Tornado's access line, `200 GET /a?x=1 (127.0.0.1) 1.23ms`, at info below 400, warn below 500, else error.
 * With `successes` false a response below 400 is not logged, and its line is never built.
 */
export function logAccess(
  logger: Logger,
  code: number,
  request: GatewayRequest,
  startedAt: number,
  successes = true,
): void {
  if (code < 400 && !successes) return;
  const line = `${code} ${requestSummary(request)} ${(performance.now() - startedAt).toFixed(2)}ms`;
  if (code < 400) logger.info(line);
  else if (code < 500) logger.warn(line);
  else logger.error(line);
}

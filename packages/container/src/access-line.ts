import { accessLogLevel, type GatewayRequest, type Logger, tornadoAccessLine } from '@tsgi/protocol';

/**
 * The container's access line, for a server that keeps none: Tornado's `200 GET /a?x=1 (127.0.0.1) 1.23ms`
 * (the line every tsgi access-log format contains), at Tornado's level. With `successes` false a response below
 * 400 is not logged, and its line is never built.
 */
export function logAccess(
  logger: Logger,
  code: number,
  request: GatewayRequest,
  startedAt: number,
  successes = true,
): void {
  if (code < 400 && !successes) return;
  const line = tornadoAccessLine(
    code,
    request.method,
    request.uri,
    request.remoteIp,
    performance.now() - startedAt,
  );
  logger[accessLogLevel(code)](line);
}

import { describe, expect, it } from 'vitest';
import { testLogger } from '../../../test-support/test-logger.js';
import { accessLogLevel, formatAccessLog, logTornadoAccess } from './access-log.js';

const request = { method: 'GET', uri: '/a?x=1', remoteIp: '127.0.0.1' };

describe('the access log', () => {
  it('logs at Tornado’s levels: info below 400, warn below 500, error for 5xx and aborted responses', () => {
    expect([200, 304, 404, 499, 500, 0].map(accessLogLevel)).toEqual([
      'info',
      'info',
      'warn',
      'warn',
      'error',
      'error',
    ]);
  });

  it('writes Tornado’s own line, and leaves successes out when asked', () => {
    const logger = testLogger();
    logTornadoAccess(logger, 200, request, performance.now());
    logTornadoAccess(logger, 204, request, performance.now(), false);
    logTornadoAccess(logger, 503, request, performance.now(), false);
    expect(logger.lines.map((line) => line.level)).toEqual(['info', 'error']);
    expect(logger.lines[0]!.text).toMatch(/^200 GET \/a\?x=1 \(127\.0\.0\.1\) \d+\.\d\dms$/);
  });

  it('puts Tornado’s line inside its own tornado format', () => {
    const entry = {
      time: new Date('2026-01-01T00:00:00Z'),
      status: 404,
      method: 'GET',
      uri: '/missing',
      version: 'HTTP/1.1',
      remoteIp: '::1',
      durationMs: 0.5,
      bytes: 15,
      userAgent: 'agent "x"',
      referer: '',
    };
    expect(formatAccessLog(entry)).toBe(
      '2026-01-01T00:00:00.000Z 404 GET /missing (::1) 0.50ms 15B "agent \\"x\\""',
    );
    expect(formatAccessLog(entry, 'combined')).toBe(
      '::1 - - [01/Jan/2026:00:00:00 +0000] "GET /missing HTTP/1.1" 404 15 "-" "agent \\"x\\""',
    );
  });
});

import { formatAccessLog } from '@tsgi/protocol';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from './options.js';

describe('resolveOptions', () => {
  it('fills the documented defaults', () => {
    const { logger, ...rest } = resolveOptions();
    expect(logger).toBe(console);
    expect(rest).toEqual({
      xheaders: false,
      trustedDownstream: ['127.0.0.1', '::1'],
      protocol: 'http',
      tls: undefined,
      decompressRequest: false,
      maxBodySize: 104857600,
      maxHeaderSize: 65536,
      limitRequestLine: 8190,
      limitRequestFields: 100,
      limitRequestFieldSize: 8190,
      idleConnectionTimeout: 72000,
      headersTimeout: 60000,
      bodyTimeout: 300000,
      sendTimeout: 60000,
      noKeepAlive: false,
      chunkSize: 65536,
      accessLog: false,
    });
  });

  it('defaults protocol to https with tls, and refuses negative limits', () => {
    expect(resolveOptions({ tls: {} }).protocol).toBe('https');
    expect(() => resolveOptions({ maxBodySize: -1 })).toThrow(RangeError);
    expect(() => resolveOptions({ headersTimeout: Number.NaN })).toThrow(RangeError);
    expect(() => resolveOptions({ limitRequestFields: 1.5 })).toThrow(RangeError);
    expect(() => resolveOptions({ limitRequestLine: -1 })).toThrow(RangeError);
    expect(resolveOptions({ limitRequestFieldSize: 0 }).limitRequestFieldSize).toBe(0);
  });
});

describe('formatAccessLog', () => {
  const entry = {
    time: new Date(Date.UTC(2025, 5, 1, 12, 0, 3, 45)),
    status: 200,
    method: 'GET',
    uri: '/a?x=1',
    version: 'HTTP/1.1',
    remoteIp: '127.0.0.1',
    durationMs: 1.234,
    bytes: 512,
    userAgent: 'curl/8.5.0 "quoted"',
    referer: '',
  };

  it("is Tornado's line with the time before it and the size and user agent after it", () => {
    expect(formatAccessLog(entry)).toBe(
      '2025-06-01T12:00:03.045Z 200 GET /a?x=1 (127.0.0.1) 1.23ms 512B "curl/8.5.0 \\"quoted\\""',
    );
  });

  it('writes the combined log format', () => {
    expect(formatAccessLog({ ...entry, bytes: 0, userAgent: 'x\ny' }, 'combined')).toBe(
      '127.0.0.1 - - [01/Jun/2025:12:00:03 +0000] "GET /a?x=1 HTTP/1.1" 200 - "-" "x\\x0ay"',
    );
  });

  it('writes one JSON object per line', () => {
    const line = formatAccessLog(entry, 'json');
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({ ...entry, time: '2025-06-01T12:00:03.045Z', durationMs: 1.23 });
  });
});

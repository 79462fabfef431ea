import { describe, expect, it } from 'vitest';
import { formatAccessLog } from './access-log.js';
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
  it("is Tornado's line", () => {
    expect(
      formatAccessLog({
        status: 200,
        method: 'GET',
        uri: '/a?x=1',
        remoteIp: '127.0.0.1',
        durationMs: 1.234,
      }),
    ).toBe('200 GET /a?x=1 (127.0.0.1) 1.23ms');
  });
});

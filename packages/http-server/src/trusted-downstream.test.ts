import { describe, expect, it } from 'vitest';
import { forwardedProtocol, forwardedRemoteIp, TrustedDownstream } from './trusted-downstream.js';

describe('TrustedDownstream', () => {
  const trusted = new TrustedDownstream(['10.0.0.0/8', '192.168.1.7', '2001:db8::/32', '::1']);

  it('matches addresses and CIDR blocks, IPv4 and IPv6, and IPv4-mapped IPv6 peers', () => {
    expect(trusted.has('10.1.2.3')).toBe(true);
    expect(trusted.has('11.0.0.1')).toBe(false);
    expect(trusted.has('192.168.1.7')).toBe(true);
    expect(trusted.has('192.168.1.8')).toBe(false);
    expect(trusted.has('2001:db8:1::5')).toBe(true);
    expect(trusted.has('2001:db9::5')).toBe(false);
    expect(trusted.has('::1')).toBe(true);
    expect(trusted.has('::ffff:10.9.9.9')).toBe(true);
    expect(trusted.has('::ffff:11.9.9.9')).toBe(false);
    expect(trusted.has('not an ip')).toBe(false);
  });

  it('refuses malformed entries', () => {
    expect(() => new TrustedDownstream(['10.0.0.0/33'])).toThrow(TypeError);
    expect(() => new TrustedDownstream(['example.com'])).toThrow(TypeError);
    expect(() => new TrustedDownstream(['::1/129'])).toThrow(TypeError);
    expect(() => new TrustedDownstream(['10.0.0.0/x'])).toThrow(TypeError);
  });
});

describe('forwardedRemoteIp', () => {
  const trusted = new TrustedDownstream(['10.0.0.0/8']);

  it('takes the rightmost untrusted X-Forwarded-For hop, across repeated headers', () => {
    expect(forwardedRemoteIp(['X-Forwarded-For', '1.1.1.1, 2.2.2.2, 10.0.0.1'], '10.0.0.9', trusted)).toBe(
      '2.2.2.2',
    );
    expect(
      forwardedRemoteIp(['x-forwarded-for', '1.1.1.1', 'X-Forwarded-For', '10.0.0.2'], '10.0.0.9', trusted),
    ).toBe('1.1.1.1');
  });

  it('when every hop is trusted, takes the leftmost; invalid hops stop the walk', () => {
    expect(forwardedRemoteIp(['X-Forwarded-For', '10.0.0.3, 10.0.0.2'], '10.0.0.9', trusted)).toBe(
      '10.0.0.3',
    );
    expect(forwardedRemoteIp(['X-Forwarded-For', '1.1.1.1, garbage, 10.0.0.2'], '10.0.0.9', trusted)).toBe(
      '10.0.0.2',
    );
    expect(forwardedRemoteIp(['X-Forwarded-For', 'garbage'], '10.0.0.9', trusted)).toBe('10.0.0.9');
  });

  it('X-Real-Ip overrides when valid', () => {
    expect(
      forwardedRemoteIp(['X-Forwarded-For', '1.1.1.1', 'X-Real-Ip', '3.3.3.3'], '10.0.0.9', trusted),
    ).toBe('3.3.3.3');
    expect(forwardedRemoteIp(['X-Real-Ip', 'nope'], '10.0.0.9', trusted)).toBe('10.0.0.9');
  });
});

describe('forwardedProtocol', () => {
  it('prefers X-Scheme, takes the last item, accepts only http and https', () => {
    expect(forwardedProtocol(['X-Forwarded-Proto', 'http, HTTPS'], 'http')).toBe('https');
    expect(forwardedProtocol(['X-Scheme', 'http', 'X-Forwarded-Proto', 'https'], 'https')).toBe('http');
    expect(forwardedProtocol(['X-Forwarded-Proto', 'ftp'], 'http')).toBe('http');
    expect(forwardedProtocol([], 'https')).toBe('https');
  });
});

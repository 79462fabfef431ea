import { describe, expect, it } from 'vitest';
import { describeBindAddress, parseBindAddress } from './bind-address.js';

describe('parseBindAddress', () => {
  it('reads HOST:PORT, [IPv6]:PORT and unix:PATH', () => {
    expect(parseBindAddress('127.0.0.1:8000')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 8000 });
    expect(parseBindAddress('localhost:0')).toEqual({ kind: 'tcp', host: 'localhost', port: 0 });
    expect(parseBindAddress('[::1]:8080')).toEqual({ kind: 'tcp', host: '::1', port: 8080 });
    expect(parseBindAddress('unix:/run/tsgi.sock')).toEqual({ kind: 'unix', path: '/run/tsgi.sock' });
    expect(parseBindAddress('unix:./relative.sock')).toEqual({ kind: 'unix', path: './relative.sock' });
  });

  it('refuses what is not an address, saying which forms are', () => {
    for (const text of [
      '8000',
      '::1:8000',
      '[::1]',
      '[127.0.0.1]:80',
      'host:',
      'host:99999',
      'host:x',
      'unix:',
    ]) {
      expect(() => parseBindAddress(text), text).toThrow(RangeError);
    }
    expect(() => parseBindAddress('8000')).toThrow(/HOST:PORT, \[IPv6\]:PORT or unix:PATH/);
  });

  it('describes an address as a URL', () => {
    expect(describeBindAddress(parseBindAddress('[::1]:80'), 'http')).toBe('http://[::1]:80');
    expect(describeBindAddress(parseBindAddress('unix:/x.sock'), 'http')).toBe('unix:/x.sock');
  });
});

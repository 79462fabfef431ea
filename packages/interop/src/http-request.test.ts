import { buildEnviron, type Environ, type GatewayRequest, WSGIInputStream } from '@tsgi/environ';
import { describe, expect, it } from 'vitest';
import { HTTPRequest } from './http-request.js';

const text = new TextEncoder();

function environFor(request: Partial<GatewayRequest> = {}): Environ {
  return buildEnviron(
    {
      method: 'GET',
      uri: '/',
      version: 'HTTP/1.1',
      rawHeaders: ['Host', 'example.com'],
      remoteIp: '10.0.0.7',
      remotePort: 51234,
      protocol: 'http',
      ...request,
    },
    { errors: () => {} },
  );
}

describe('HTTPRequest.fromEnviron', () => {
  it('reads the request line, the client and the server from the environ', () => {
    const request = HTTPRequest.fromEnviron(
      environFor({ method: 'PATCH', uri: '/a/b?x=1&y=2', version: 'HTTP/1.0', protocol: 'https' }),
    );
    expect(request.method).toBe('PATCH');
    expect(request.uri).toBe('/a/b?x=1&y=2');
    expect(request.path).toBe('/a/b');
    expect(request.query).toBe('x=1&y=2');
    expect(request.version).toBe('HTTP/1.0');
    expect(request.supportsHttp11()).toBe(false);
    expect(request.protocol).toBe('https');
    expect(request.remoteIp).toBe('10.0.0.7');
    expect(request.remotePort).toBe(51234);
    expect(request.host).toBe('example.com');
    expect(request.serverPort).toBe(443);
    expect(request.fullUrl()).toBe('https://example.com/a/b?x=1&y=2');
  });

  it('keeps the raw path bytes: percent-escapes as sent, %2F distinct from /', () => {
    const request = HTTPRequest.fromEnviron(environFor({ uri: '/caf%C3%A9/a%2Fb?q=%20' }));
    expect(request.path).toBe('/caf%C3%A9/a%2Fb');
    expect(request.query).toBe('q=%20');
    expect(request.environ.PATH_INFO).toBe('/caf\u00c3\u00a9/a/b');
  });

  it('rebuilds the target from SCRIPT_NAME and PATH_INFO when the server gives no raw one, or a stale one', () => {
    const environ = environFor({ uri: '/app/caf%C3%A9?x=1', scriptName: '/app' });
    delete environ.RAW_URI;
    delete environ.REQUEST_URI;
    const rebuilt = HTTPRequest.fromEnviron(environ);
    expect(rebuilt.path).toBe('/app/caf%C3%A9');
    expect(rebuilt.uri).toBe('/app/caf%C3%A9?x=1');

    // Middleware moved a segment from PATH_INFO to SCRIPT_NAME and rewrote PATH_INFO: the raw target is stale.
    const rewritten = environFor({ uri: '/old/path' });
    rewritten.PATH_INFO = '/new path';
    expect(HTTPRequest.fromEnviron(rewritten).path).toBe('/new%20path');
  });

  it('takes the path of an absolute-form target and returns that target as the full URL', () => {
    const request = HTTPRequest.fromEnviron(environFor({ uri: 'http://example.com/x?y=1' }));
    expect(request.path).toBe('/x');
    expect(request.query).toBe('y=1');
    expect(request.fullUrl()).toBe('http://example.com/x?y=1');
  });

  it('answers OPTIONS * with the path *', () => {
    const request = HTTPRequest.fromEnviron(environFor({ method: 'OPTIONS', uri: '*' }));
    expect(request.path).toBe('*');
    expect(request.uri).toBe('*');
  });

  it('rebuilds the headers from CONTENT_TYPE, CONTENT_LENGTH and HTTP_*, case-insensitively', () => {
    const request = HTTPRequest.fromEnviron(
      environFor({
        method: 'POST',
        rawHeaders: [
          'Host',
          'example.com',
          'content-type',
          'text/plain',
          'Content-Length',
          '2',
          'X-Forwarded-For',
          '1.1.1.1',
          'x-forwarded-for',
          '2.2.2.2',
        ],
        body: text.encode('hi'),
      }),
    );
    expect(request.headers.get('CONTENT-TYPE')).toBe('text/plain');
    expect(request.headers.get('content-length')).toBe('2');
    expect(request.headers.get('x-forwarded-for')).toBe('1.1.1.1,2.2.2.2');
    expect(request.rawHeaders).toContain('X-Forwarded-For');
  });

  it('falls back to SERVER_NAME and a non-default SERVER_PORT for the host, and gives the host name', () => {
    const environ = environFor({
      version: 'HTTP/1.0',
      rawHeaders: [],
      serverIp: '192.0.2.1',
      serverPort: 8080,
    });
    const request = HTTPRequest.fromEnviron(environ);
    expect(request.host).toBe('192.0.2.1:8080');
    expect(request.hostName).toBe('192.0.2.1');
    expect(HTTPRequest.fromEnviron(environFor({ rawHeaders: ['Host', 'Example.COM:81'] })).hostName).toBe(
      'example.com',
    );
    expect(HTTPRequest.fromEnviron(environFor({ rawHeaders: ['Host', '[::1]:8080'] })).hostName).toBe(
      '[::1]',
    );
  });

  it('parses cookies, including repeated Cookie headers the server joined with ","', () => {
    const request = HTTPRequest.fromEnviron(
      environFor({ rawHeaders: ['Host', 'h', 'Cookie', 'a=1; b="two"', 'Cookie', 'c=3'] }),
    );
    expect(request.environ.HTTP_COOKIE).toBe('a=1; b="two",c=3');
    expect({ ...request.cookies }).toEqual({ a: '1', b: 'two', c: '3' });
    expect({ ...HTTPRequest.fromEnviron(environFor()).cookies }).toEqual({});
  });

  it('reads CONTENT_LENGTH bytes from wsgi.input on first use of body, and leaves the rest unread', () => {
    const environ = environFor({ method: 'POST', rawHeaders: ['Host', 'h', 'Content-Length', '5'] });
    environ['wsgi.input'] = new WSGIInputStream(text.encode('hello, and more'));
    const request = HTTPRequest.fromEnviron(environ);
    expect(new TextDecoder().decode(request.body)).toBe('hello');
    expect(request.bodyLength).toBe(5);
    expect(request.body).toBe(request.body);
  });

  it('keeps reading a server input whose read(n) returns fewer bytes than asked', () => {
    const environ = environFor({ method: 'POST', rawHeaders: ['Host', 'h', 'Content-Length', '6'] });
    const source = text.encode('abcdef');
    let offset = 0;
    environ['wsgi.input'] = new WSGIInputStream({
      read: (max) => {
        if (offset >= source.length) return null;
        const part = source.subarray(offset, offset + Math.min(max, 2));
        offset += part.length;
        return part;
      },
    });
    expect(new TextDecoder().decode(HTTPRequest.fromEnviron(environ).body)).toBe('abcdef');
  });

  it('reads to the end without CONTENT_LENGTH only when wsgi.input_terminated says it may', () => {
    const environ = environFor({ method: 'POST' });
    environ['wsgi.input'] = new WSGIInputStream(text.encode('chunked body'));
    expect(environ.CONTENT_LENGTH).toBeUndefined();
    expect(environ['wsgi.input_terminated']).toBe(true);
    expect(new TextDecoder().decode(HTTPRequest.fromEnviron(environ).body)).toBe('chunked body');

    const foreign = environFor({ method: 'POST' });
    foreign['wsgi.input'] = new WSGIInputStream(text.encode('must not be read'));
    delete foreign['wsgi.input_terminated'];
    expect(HTTPRequest.fromEnviron(foreign).body.length).toBe(0);
  });

  it('measures requestTime until the response finishes', async () => {
    const request = HTTPRequest.fromEnviron(environFor());
    await new Promise((resolve) => setTimeout(resolve, 20));
    request.connection.finish();
    const finished = request.requestTime();
    expect(finished).toBeGreaterThanOrEqual(0.015);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(request.requestTime()).toBe(finished);
  });
});

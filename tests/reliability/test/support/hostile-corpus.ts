import type { EnvironReport } from './gateway-target.js';

/**
 * The hostile request corpus: raw bytes a client (or a confused proxy) might send, each with the answer RFC 9112 and
 * tsgi's documented policy require. Every request that is accepted carries `Connection: close` (or the client
 * half-closes after it), so every case ends with the server closing the connection: a case that leaves it open is
 * a hang.
 */
export interface HostileCase {
  name: string;
  payload: string;
  /** The client shuts down its sending side after the payload (`shutdown(SHUT_WR)`) and keeps reading. */
  halfClose?: boolean;
  /** Headers every final response carries: lower-case name → exact value. */
  headers?: Record<string, string>;
  /** Acceptable statuses of the final responses, in order (one entry per final response expected). */
  statuses: (number | number[])[];
  /** Methods of the requests answered, for framing (HEAD has no body). */
  methods?: string[];
  /** For pipelines: the `PATH_INFO` each answered request had, in order (none lost, none reordered). */
  paths?: string[];
  /** Checks on the environ the application saw (accepted requests). */
  check?: (report: EnvironReport) => void;
}

const crlf = '\r\n';
/** A request: the request line, header lines, and an optional body. */
export function request(line: string, headers: string[], body = ''): string {
  return line + crlf + headers.map((header) => header + crlf).join('') + crlf + body;
}
const close = 'Connection: close';
const host = 'Host: a';
const post = (headers: string[], body: string) => request('POST / HTTP/1.1', [host, close, ...headers], body);
const chunked = (body: string) => post(['Transfer-Encoding: chunked'], body);
const withHeader = (line: string) => request('GET / HTTP/1.1', [host, close, line]);

function expectEqual(actual: unknown, expected: unknown, what: string) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}
const environIs = (key: string, value: string | undefined) => (report: EnvironReport) =>
  expectEqual(report.environ[key], value, key);
const bodyIs = (length: number) => (report: EnvironReport) =>
  expectEqual(report.bodyLength, length, 'body length');
const all =
  (...checks: ((report: EnvironReport) => void)[]) =>
  (report: EnvironReport) => {
    for (const check of checks) check(report);
  };

const smuggling: HostileCase[] = [
  {
    name: 'CL then TE',
    payload: post(['Content-Length: 5', 'Transfer-Encoding: chunked'], '0\r\n\r\n'),
    statuses: [400],
  },
  {
    name: 'TE then CL',
    payload: post(['Transfer-Encoding: chunked', 'Content-Length: 5'], '0\r\n\r\n'),
    statuses: [400],
  },
  {
    name: 'CL.TE classic smuggle (body starts a second request)',
    payload: post(
      ['Content-Length: 6', 'Transfer-Encoding: chunked'],
      '0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n',
    ),
    statuses: [400],
  },
  {
    name: 'TE.CL with obfuscated TE',
    payload: post(
      ['Transfer-Encoding: xchunked', 'Content-Length: 4'],
      '5c\r\nGPOST / HTTP/1.1\r\n\r\n0\r\n\r\n',
    ),
    statuses: [400],
  },
  { name: 'CL non-numeric', payload: post(['Content-Length: abc'], ''), statuses: [400] },
  { name: 'CL signed +', payload: post(['Content-Length: +3'], 'abc'), statuses: [400] },
  { name: 'CL negative', payload: post(['Content-Length: -1'], ''), statuses: [400] },
  { name: 'CL hex', payload: post(['Content-Length: 0x3'], 'abc'), statuses: [400] },
  { name: 'CL exponent', payload: post(['Content-Length: 3e0'], 'abc'), statuses: [400] },
  { name: 'CL decimal point', payload: post(['Content-Length: 3.0'], 'abc'), statuses: [400] },
  { name: 'CL list of equal values', payload: post(['Content-Length: 3, 3'], 'abc'), statuses: [400] },
  {
    name: 'CL duplicate equal',
    payload: post(['Content-Length: 3', 'Content-Length: 3'], 'abc'),
    statuses: [400],
  },
  {
    name: 'CL duplicate differing',
    payload: post(['Content-Length: 3', 'Content-Length: 4'], 'abcd'),
    statuses: [400],
  },
  { name: 'CL two numbers', payload: post(['Content-Length: 3 3'], 'abc'), statuses: [400] },
  { name: 'CL empty', payload: post(['Content-Length: '], ''), statuses: [400] },
  {
    name: 'CL with surrounding whitespace (OWS is allowed)',
    payload: post(['Content-Length:   3  '], 'abc'),
    statuses: [200],
    check: all(bodyIs(3), environIs('CONTENT_LENGTH', '3')),
  },
  {
    name: 'CL leading zeros',
    payload: post(['Content-Length: 0003'], 'abc'),
    statuses: [200],
    check: bodyIs(3),
  },
  {
    name: 'CL overflowing 64 bits',
    payload: post(['Content-Length: 99999999999999999999999'], ''),
    statuses: [[400, 413]],
  },
  { name: 'CL beyond 2^53', payload: post(['Content-Length: 9007199254740993'], ''), statuses: [413] },
  { name: 'CL over maxBodySize', payload: post(['Content-Length: 1048577'], ''), statuses: [413] },
  { name: 'CL 1 GiB', payload: post(['Content-Length: 1073741824'], ''), statuses: [413] },
  { name: 'space before colon in CL', payload: post(['Content-Length : 3'], 'abc'), statuses: [400] },
  {
    name: 'space before colon in TE',
    payload: post(['Transfer-Encoding : chunked'], '0\r\n\r\n'),
    statuses: [400],
  },
  { name: 'TE gzip', payload: post(['Transfer-Encoding: gzip'], 'abc'), statuses: [400] },
  {
    name: 'TE gzip, chunked',
    payload: post(['Transfer-Encoding: gzip, chunked'], '0\r\n\r\n'),
    statuses: [[400, 501]],
  },
  {
    name: 'TE chunked, gzip',
    payload: post(['Transfer-Encoding: chunked, gzip'], '0\r\n\r\n'),
    statuses: [400],
  },
  {
    name: 'TE chunked, chunked',
    payload: post(['Transfer-Encoding: chunked, chunked'], '0\r\n\r\n'),
    statuses: [[400, 501]],
  },
  { name: 'TE identity', payload: post(['Transfer-Encoding: identity'], ''), statuses: [[400, 501]] },
  { name: 'TE xchunked', payload: post(['Transfer-Encoding: xchunked'], '0\r\n\r\n'), statuses: [400] },
  {
    name: 'TE chunked + vertical tab',
    payload: post(['Transfer-Encoding: chunked\x0b'], '0\r\n\r\n'),
    statuses: [400],
  },
  {
    name: 'TE split over two headers',
    payload: post(['Transfer-Encoding: gzip', 'Transfer-Encoding: chunked'], '0\r\n\r\n'),
    statuses: [[400, 501]],
  },
  {
    name: 'TE gzip hidden behind 2100 header lines',
    payload: post(
      [...Array.from({ length: 2100 }, (_, i) => `X${i}:`), 'Transfer-Encoding: gzip, chunked'],
      '0\r\n\r\n',
    ),
    statuses: [[400, 431]],
  },
  {
    name: 'TE twice chunked',
    payload: post(['Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'], '0\r\n\r\n'),
    statuses: [[400, 501]],
  },
  {
    name: 'TE Chunked (coding names are case-insensitive)',
    payload: post(['Transfer-Encoding: Chunked'], '3\r\nabc\r\n0\r\n\r\n'),
    statuses: [200],
    check: bodyIs(3),
  },
  {
    name: 'TE with a tab as OWS',
    payload: post(['Transfer-Encoding:\tchunked'], '3\r\nabc\r\n0\r\n\r\n'),
    statuses: [200],
    check: bodyIs(3),
  },
  {
    // RFC 9112 §6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing (gunicorn refuses it too).
    name: 'TE chunked on HTTP/1.0',
    payload: request('POST / HTTP/1.0', ['Transfer-Encoding: chunked'], '3\r\nabc\r\n0\r\n\r\n'),
    statuses: [400],
  },
  {
    name: 'TE chunked on HTTP/1.0 asking for keep-alive is refused and closed',
    payload: request(
      'POST / HTTP/1.0',
      ['Connection: keep-alive', 'Transfer-Encoding: chunked'],
      '3\r\nabc\r\n0\r\n\r\n',
    ),
    statuses: [400],
  },
  {
    name: 'TE and CL on HTTP/1.0',
    payload: request('POST / HTTP/1.0', ['Transfer-Encoding: chunked', 'Content-Length: 3'], 'abc'),
    statuses: [400],
  },
  {
    name: 'Transfer_Encoding (underscore) is not framing',
    payload: post(['Transfer_Encoding: chunked', 'Content-Length: 3'], 'abc'),
    statuses: [200],
    check: all(bodyIs(3), environIs('HTTP_TRANSFER_ENCODING', undefined)),
  },
  {
    name: 'a whole request inside a Content-Length body is body',
    payload: post(['Content-Length: 35'], 'GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n'),
    statuses: [200],
    check: all(bodyIs(35), environIs('PATH_INFO', '/')),
  },
  {
    name: 'GET with a body',
    payload: request('GET / HTTP/1.1', [host, close, 'Content-Length: 3'], 'abc'),
    statuses: [200],
    check: bodyIs(3),
  },
];

const chunks: HostileCase[] = [
  { name: 'chunk size not hex', payload: chunked('g\r\nabc\r\n0\r\n\r\n'), statuses: [400] },
  { name: 'chunk size negative', payload: chunked('-1\r\nabc\r\n0\r\n\r\n'), statuses: [400] },
  { name: 'chunk size 0x prefix', payload: chunked('0x3\r\nabc\r\n0\r\n\r\n'), statuses: [400] },
  {
    name: 'chunk size overflowing 64 bits',
    payload: chunked('fffffffffffffffffff\r\nabc\r\n0\r\n\r\n'),
    statuses: [[400, 413]],
  },
  // The declared chunk size is not visible above node's parser: the stalled upload ends at bodyTimeout.
  {
    name: 'chunk size over maxBodySize, then a stall',
    payload: chunked('200000\r\nabc'),
    statuses: [[408, 413]],
  },
  { name: 'chunk size with leading space', payload: chunked(' 3\r\nabc\r\n0\r\n\r\n'), statuses: [400] },
  { name: 'chunk size empty', payload: chunked('\r\nabc\r\n0\r\n\r\n'), statuses: [400] },
  { name: 'chunk longer than its size', payload: chunked('3\r\nabcdef\r\n0\r\n\r\n'), statuses: [400] },
  { name: 'chunk data ended by bare CR', payload: chunked('3\r\nabc\r0\r\n\r\n'), statuses: [400] },
  { name: 'chunk size line ended by bare CR', payload: chunked('3\rabc\r\n0\r\n\r\n'), statuses: [400] },
  {
    name: 'chunk size with leading zeros',
    payload: chunked('0003\r\nabc\r\n0\r\n\r\n'),
    statuses: [200],
    // CONTENT_LENGTH is '3' when the body was buffered, absent when it streams (wsgi.input_terminated).
    check: all(bodyIs(3), environIs('HTTP_TRANSFER_ENCODING', undefined)),
  },
  {
    name: 'chunk extension',
    payload: chunked('3;name=value\r\nabc\r\n0\r\n\r\n'),
    statuses: [200],
    check: bodyIs(3),
  },
  {
    name: 'chunk extension with quoted string',
    payload: chunked('3;a="b;c"\r\nabc\r\n0\r\n\r\n'),
    statuses: [200],
    check: bodyIs(3),
  },
  {
    name: 'chunk extension without value',
    payload: chunked('3;flag\r\nabc\r\n0;last\r\n\r\n'),
    statuses: [200],
    check: bodyIs(3),
  },
  {
    name: 'chunk extension with CR inside',
    payload: chunked('3;a=\rb\r\nabc\r\n0\r\n\r\n'),
    statuses: [400],
  },
  {
    name: 'chunk extension of 20 KiB',
    payload: chunked(`3;a=${'x'.repeat(20_480)}\r\nabc\r\n0\r\n\r\n`),
    statuses: [[400, 413]],
  },
  {
    name: 'trailer field',
    payload: chunked('3\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n'),
    statuses: [200],
    // A trailer is never a header: no HTTP_* key (RFC 9112 §7.1.2 forbids merging it).
    check: all(bodyIs(3), environIs('HTTP_X_TRAILER', undefined)),
  },
  {
    name: 'trailer named like a header leaves the header alone',
    payload: post(
      ['X-Mine: header', 'Transfer-Encoding: chunked'],
      '3\r\nabc\r\n0\r\nX-Mine: trailer\r\n\r\n',
    ),
    statuses: [200],
    check: environIs('HTTP_X_MINE', 'header'),
  },
  // RFC 9110 §6.5.1: framing, routing, authentication, request modifiers, response controls and content format
  // never come in a trailer section; tsgi refuses them (400) as gunicorn does.
  ...[
    'Host: evil',
    'host: evil',
    'Authorization: Bearer evil',
    'Proxy-Authorization: evil',
    'Cookie: session=evil',
    'Content-Type: text/evil',
    'Content-Encoding: gzip',
    'Trailer: X-T',
    'TE: trailers',
    'Connection: close',
    'Expect: 100-continue',
    'Range: bytes=0-1',
    'If-None-Match: *',
    'Cache-Control: no-cache',
    'X-Forwarded-For: 6.6.6.6',
    'X-Real-IP: 6.6.6.6',
    'X-Forwarded-Proto: https',
    'Transfer-Encoding: chunked',
  ].map(
    (line): HostileCase => ({
      name: `trailer ${line.slice(0, line.indexOf(':'))} is refused`,
      payload: chunked(`3\r\nabc\r\n0\r\n${line}\r\n\r\n`),
      statuses: [400],
    }),
  ),
  {
    name: 'a forbidden trailer after allowed ones is refused',
    payload: chunked('3\r\nabc\r\n0\r\nX-A: 1\r\nX-B: 2\r\nHost: evil\r\n\r\n'),
    statuses: [400],
  },
  {
    name: '101 trailer fields (over limitRequestFields)',
    payload: chunked(`3\r\nabc\r\n0\r\n${'X-T: 1\r\n'.repeat(101)}\r\n`),
    statuses: [431],
  },
  {
    name: 'a trailer field over limitRequestFieldSize',
    payload: chunked(`3\r\nabc\r\n0\r\nX-T: ${'t'.repeat(8190)}\r\n\r\n`),
    statuses: [431],
  },
  {
    name: 'trailer Content-Length is refused',
    payload: chunked('3\r\nabc\r\n0\r\nContent-Length: 100\r\n\r\n'),
    statuses: [400],
  },
  { name: 'trailer with a bad name', payload: chunked('3\r\nabc\r\n0\r\nX T: 1\r\n\r\n'), statuses: [400] },
  { name: 'trailer with NUL', payload: chunked('3\r\nabc\r\n0\r\nX-T: a\0b\r\n\r\n'), statuses: [400] },
  {
    name: 'many small chunks',
    payload: chunked(`${'1\r\nx\r\n'.repeat(500)}0\r\n\r\n`),
    statuses: [200],
    check: bodyIs(500),
  },
  {
    name: 'chunked body over maxBodySize in small chunks',
    payload: chunked(`${`8000\r\n${'x'.repeat(0x8000)}\r\n`.repeat(40)}0\r\n\r\n`),
    statuses: [[413, 400]],
  },
];

const injection: HostileCase[] = [
  { name: 'NUL in a header value', payload: withHeader('X-A: a\0b'), statuses: [400] },
  { name: 'bare CR in a header value', payload: withHeader('X-A: a\rX-B: b'), statuses: [400] },
  { name: 'DEL in a header value', payload: withHeader('X-A: a\x7fb'), statuses: [400] },
  { name: 'C0 control in a header value', payload: withHeader('X-A: a\x01b'), statuses: [400] },
  { name: 'NUL in a header name', payload: withHeader('X-\0A: 1'), statuses: [400] },
  { name: 'CR in a header name', payload: withHeader('X-\rA: 1'), statuses: [400] },
  { name: 'space in a header name', payload: withHeader('X A: 1'), statuses: [400] },
  { name: 'tab in a header name', payload: withHeader('X\tA: 1'), statuses: [400] },
  { name: 'parenthesis in a header name', payload: withHeader('X(A): 1'), statuses: [400] },
  { name: 'empty header name', payload: withHeader(': 1'), statuses: [400] },
  { name: 'header line without a colon', payload: withHeader('XA'), statuses: [400] },
  { name: 'obs-fold continuation line', payload: withHeader('X-A: a\r\n b'), statuses: [400] },
  { name: 'obs-fold on Host', payload: request('GET / HTTP/1.1', ['Host: a', ' b', close]), statuses: [400] },
  { name: 'obs-fold on Content-Length', payload: post(['Content-Length: 1', ' 0'], 'abc'), statuses: [400] },
  {
    name: 'header line starting with whitespace first',
    payload: request('GET / HTTP/1.1', [' X-A: 1', host, close]),
    statuses: [400],
  },
  {
    name: 'latin-1 byte in a header value is obs-text',
    payload: withHeader('X-L: caf\xe9'),
    statuses: [200],
    check: environIs('HTTP_X_L', 'caf\xe9'),
  },
  {
    name: 'value whitespace trimmed',
    payload: withHeader('X-W:  \t v \t '),
    statuses: [200],
    check: environIs('HTTP_X_W', 'v'),
  },
  {
    name: 'repeated header joined with a comma',
    payload: request('GET / HTTP/1.1', [host, close, 'X-A: 1', 'X-A: 2']),
    statuses: [200],
    check: environIs('HTTP_X_A', '1,2'),
  },
  { name: 'NUL in the target', payload: 'GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n', statuses: [400] },
  { name: 'CR in the request line', payload: 'GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n', statuses: [400] },
  { name: 'control byte in the target', payload: 'GET /a\x01 HTTP/1.1\r\nHost: a\r\n\r\n', statuses: [400] },
  { name: 'space in the target', payload: 'GET /a b HTTP/1.1\r\nHost: a\r\n\r\n', statuses: [400] },
  { name: 'tab in the target', payload: 'GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n', statuses: [400] },
  {
    // llhttp, built in strict mode, refuses bytes above 0x7f in the target whatever the options (SECURITY.md).
    name: 'raw UTF-8 in the target',
    payload: 'GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n',
    statuses: [400],
  },
  {
    name: 'raw latin-1 byte in the query',
    payload: 'GET /?q=\xe9 HTTP/1.1\r\nHost: a\r\n\r\n',
    statuses: [400],
  },
  {
    name: 'percent-encoded UTF-8 reaches PATH_INFO as a latin-1 WSGI string',
    payload: request('GET /caf%C3%A9 HTTP/1.1', [host, close]),
    statuses: [200],
    check: all(environIs('PATH_INFO', '/caf\xc3\xa9'), environIs('REQUEST_URI', '/caf%C3%A9')),
  },
  {
    name: 'percent-encoded NUL is decoded, not a terminator',
    payload: request('GET /a%00b HTTP/1.1', [host, close]),
    statuses: [200],
    check: all(environIs('PATH_INFO', '/a\0b'), environIs('REQUEST_URI', '/a%00b')),
  },
  {
    name: 'percent-encoded CRLF in the path stays inside PATH_INFO',
    payload: request('GET /a%0d%0aX-Injected:%201 HTTP/1.1', [host, close]),
    statuses: [200],
    check: all(environIs('PATH_INFO', '/a\r\nX-Injected: 1'), environIs('HTTP_X_INJECTED', undefined)),
  },
];

const spoofing: HostileCase[] = [
  {
    name: 'X_Forwarded_For alone is dropped',
    payload: withHeader('X_Forwarded_For: 6.6.6.6'),
    statuses: [200],
    check: all(environIs('HTTP_X_FORWARDED_FOR', undefined), environIs('REMOTE_ADDR', '127.0.0.1')),
  },
  {
    name: 'X_Forwarded_For cannot overwrite X-Forwarded-For',
    payload: request('GET / HTTP/1.1', [host, close, 'X-Forwarded-For: 1.1.1.1', 'X_Forwarded_For: 6.6.6.6']),
    statuses: [200],
    check: environIs('HTTP_X_FORWARDED_FOR', '1.1.1.1'),
  },
  {
    name: 'X_Forwarded_For before X-Forwarded-For',
    payload: request('GET / HTTP/1.1', [host, close, 'X_Forwarded_For: 6.6.6.6', 'X-Forwarded-For: 1.1.1.1']),
    statuses: [200],
    check: environIs('HTTP_X_FORWARDED_FOR', '1.1.1.1'),
  },
  {
    name: 'Content_Type is dropped',
    payload: post(['Content_Type: evil', 'Content-Length: 0'], ''),
    statuses: [200],
    check: all(environIs('CONTENT_TYPE', undefined), environIs('HTTP_CONTENT_TYPE', undefined)),
  },
  {
    name: 'Content_Length is dropped',
    payload: post(['Content_Length: 5', 'Content-Length: 0'], ''),
    statuses: [200],
    check: all(environIs('CONTENT_LENGTH', '0'), environIs('HTTP_CONTENT_LENGTH', undefined)),
  },
  {
    name: 'Remote-Addr header does not set REMOTE_ADDR',
    payload: withHeader('Remote-Addr: 6.6.6.6'),
    statuses: [200],
    check: all(environIs('REMOTE_ADDR', '127.0.0.1'), environIs('HTTP_REMOTE_ADDR', '6.6.6.6')),
  },
  {
    name: 'X-Forwarded-For is not honoured without xheaders',
    payload: withHeader('X-Forwarded-For: 6.6.6.6'),
    statuses: [200],
    check: environIs('REMOTE_ADDR', '127.0.0.1'),
  },
  {
    name: 'X-Forwarded-Proto is not honoured without xheaders',
    payload: withHeader('X-Forwarded-Proto: https'),
    statuses: [200],
    check: all(environIs('wsgi.url_scheme', 'http'), environIs('HTTPS', undefined)),
  },
  {
    name: 'Script-Name header does not set SCRIPT_NAME',
    payload: withHeader('Script-Name: /admin'),
    statuses: [200],
    check: all(environIs('SCRIPT_NAME', ''), environIs('HTTP_SCRIPT_NAME', '/admin')),
  },
];

const hosts: HostileCase[] = [
  {
    name: 'duplicate Host',
    payload: request('GET / HTTP/1.1', ['Host: a', 'Host: b', close]),
    statuses: [400],
  },
  {
    name: 'duplicate equal Host',
    payload: request('GET / HTTP/1.1', ['Host: a', 'Host: a', close]),
    statuses: [400],
  },
  { name: 'missing Host on HTTP/1.1', payload: request('GET / HTTP/1.1', [close]), statuses: [400] },
  {
    name: 'missing Host on HTTP/1.0',
    payload: request('GET / HTTP/1.0', []),
    statuses: [200],
    check: all(environIs('SERVER_NAME', '127.0.0.1'), environIs('HTTP_HOST', undefined)),
  },
  { name: 'Host with a comma', payload: withHeader('X-Pad: 1').replace(host, 'Host: a,b'), statuses: [400] },
  { name: 'Host with a space', payload: request('GET / HTTP/1.1', ['Host: a b', close]), statuses: [400] },
  {
    name: 'Host with a non-numeric port',
    payload: request('GET / HTTP/1.1', ['Host: a:abc', close]),
    statuses: [400],
  },
  {
    name: 'Host with a port over 65535',
    payload: request('GET / HTTP/1.1', ['Host: a:99999', close]),
    statuses: [400],
  },
  {
    name: 'Host with two ports',
    payload: request('GET / HTTP/1.1', ['Host: a:1:2', close]),
    statuses: [400],
  },
  {
    name: 'Host with userinfo',
    payload: request('GET / HTTP/1.1', ['Host: user@evil', close]),
    statuses: [400],
  },
  { name: 'Host with a slash', payload: request('GET / HTTP/1.1', ['Host: a/b', close]), statuses: [400] },
  { name: 'Host with a NUL', payload: request('GET / HTTP/1.1', ['Host: a\0b', close]), statuses: [400] },
  {
    name: 'Host with an IPv6 literal and port',
    payload: request('GET / HTTP/1.1', ['Host: [::1]:8080', close]),
    statuses: [200],
    check: all(environIs('SERVER_NAME', '[::1]'), environIs('SERVER_PORT', '8080')),
  },
  {
    name: 'Host case is kept',
    payload: request('GET / HTTP/1.1', ['Host: EXAMPLE.com:81', close]),
    statuses: [200],
    check: all(environIs('SERVER_NAME', 'EXAMPLE.com'), environIs('SERVER_PORT', '81')),
  },
  {
    name: 'empty Host on HTTP/1.1',
    payload: request('GET / HTTP/1.1', ['Host:', close]),
    statuses: [[200, 400]],
  },
];

const targets: HostileCase[] = [
  {
    name: 'absolute-form target',
    payload: request('GET http://example.com/foo?q=1 HTTP/1.1', ['Host: example.com', close]),
    statuses: [200],
    check: all(
      environIs('PATH_INFO', '/foo'),
      environIs('QUERY_STRING', 'q=1'),
      environIs('SERVER_NAME', 'example.com'),
    ),
  },
  {
    name: 'absolute-form target wins over a different Host',
    payload: request('GET http://example.com:8080/foo HTTP/1.1', ['Host: other', close]),
    statuses: [200],
    check: all(environIs('SERVER_NAME', 'example.com'), environIs('SERVER_PORT', '8080')),
  },
  {
    name: 'OPTIONS *',
    payload: request('OPTIONS * HTTP/1.1', [host, close]),
    statuses: [200],
    check: all(
      environIs('REQUEST_METHOD', 'OPTIONS'),
      environIs('SCRIPT_NAME', ''),
      environIs('PATH_INFO', ''),
      environIs('REQUEST_URI', '*'),
    ),
  },
  { name: 'GET *', payload: request('GET * HTTP/1.1', [host, close]), statuses: [400] },
  {
    // No tunnels: nothing reaches the application. RFC 9110 §15.5.6 requires Allow on a 405: empty, since the
    // tunnel target supports no method here.
    name: 'authority-form CONNECT is refused',
    payload: request('CONNECT a:443 HTTP/1.1', ['Host: a:443', close]),
    statuses: [405],
    headers: { allow: '' },
  },
  {
    name: 'CONNECT with an origin-form target is refused too',
    payload: request('CONNECT / HTTP/1.1', [host, close]),
    statuses: [405],
    headers: { allow: '' },
  },
  {
    name: 'target without a leading slash',
    payload: request('GET a HTTP/1.1', [host, close]),
    statuses: [400],
  },
  {
    name: 'empty segments kept',
    payload: request('GET //a//b HTTP/1.1', [host, close]),
    statuses: [200],
    check: environIs('PATH_INFO', '//a//b'),
  },
  {
    name: 'dot segments are not resolved',
    payload: request('GET /a/../b HTTP/1.1', [host, close]),
    statuses: [200],
    check: environIs('PATH_INFO', '/a/../b'),
  },
  {
    name: 'fragment dropped',
    payload: request('GET /a?x=1#frag HTTP/1.1', [host, close]),
    statuses: [200],
    check: all(environIs('PATH_INFO', '/a'), environIs('QUERY_STRING', 'x=1')),
  },
  {
    name: 'encoded slash decoded, raw kept',
    payload: request('GET /a%2Fb+c HTTP/1.1', [host, close]),
    statuses: [200],
    check: all(environIs('PATH_INFO', '/a/b+c'), environIs('RAW_URI', '/a%2Fb+c')),
  },
  {
    name: 'invalid escapes kept',
    payload: request('GET /a%zz%2 HTTP/1.1', [host, close]),
    statuses: [200],
    check: environIs('PATH_INFO', '/a%zz%2'),
  },
  {
    name: 'HTTP/2.0 request line',
    payload: request('GET / HTTP/2.0', [host, close]),
    statuses: [[400, 505]],
  },
  { name: 'HTTP/0.9 request line', payload: 'GET /\r\n\r\n', statuses: [400] },
  { name: 'lower-case version', payload: request('GET / http/1.1', [host, close]), statuses: [400] },
  { name: 'version with three digits', payload: request('GET / HTTP/1.10', [host, close]), statuses: [400] },
  {
    // RFC 9112 §3: recipients MAY split the request line on whitespace.
    name: 'two spaces after the method',
    payload: request('GET  / HTTP/1.1', [host, close]),
    statuses: [[200, 400]],
  },
  {
    name: 'method with a non-token byte',
    payload: request('G(T / HTTP/1.1', [host, close]),
    statuses: [400],
  },
  { name: 'unknown method', payload: request('FOO / HTTP/1.1', [host, close]), statuses: [[400, 405, 501]] },
  {
    name: 'leading empty line before the request',
    payload: `\r\n${request('GET / HTTP/1.1', [host, close])}`,
    statuses: [200],
  },
  {
    name: 'TLS ClientHello on the plain port',
    payload: '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n',
    statuses: [400],
  },
];

const sizes: HostileCase[] = [
  {
    name: 'request line of 16 KiB',
    payload: request(`GET /${'a'.repeat(16_384)} HTTP/1.1`, [host, close]),
    statuses: [[414, 431]],
  },
  { name: 'one header of 16 KiB', payload: withHeader(`X-Big: ${'a'.repeat(16_384)}`), statuses: [431] },
  {
    name: '1000 headers over the limit',
    payload: request('GET / HTTP/1.1', [
      host,
      close,
      ...Array.from({ length: 1000 }, (_, i) => `X-${i}: ${'v'.repeat(10)}`),
    ]),
    statuses: [431],
  },
  // limitRequestLine (8190), limitRequestFields (100) and limitRequestFieldSize (8190), the corpus's
  // maxHeaderSize being 16 KiB.
  {
    name: 'request line of exactly limitRequestLine bytes',
    payload: request(`GET /${'l'.repeat(8190 - 14)} HTTP/1.1`, [host, close]),
    statuses: [200],
    check: (report) => expectEqual(report.environ.PATH_INFO?.length, 8190 - 13, 'PATH_INFO length'),
  },
  {
    name: 'request line one byte over limitRequestLine',
    payload: request(`GET /${'l'.repeat(8190 - 13)} HTTP/1.1`, [host, close]),
    statuses: [414],
  },
  {
    name: 'a 7900-byte path (RFC 9112 §3: support 8000-octet request lines)',
    payload: request(`GET /${'p'.repeat(7900)} HTTP/1.1`, [host, close]),
    statuses: [200],
  },
  {
    name: 'a header field of exactly limitRequestFieldSize bytes',
    payload: withHeader(`X-Big: ${'b'.repeat(8190 - 7)}`),
    statuses: [200],
    check: (report) => expectEqual(report.environ.HTTP_X_BIG?.length, 8183, 'HTTP_X_BIG length'),
  },
  {
    name: 'a header field one byte over limitRequestFieldSize',
    payload: withHeader(`X-Big: ${'b'.repeat(8190 - 6)}`),
    statuses: [431],
  },
  {
    name: 'a header name over limitRequestFieldSize',
    payload: withHeader(`${'N'.repeat(8200)}: v`),
    statuses: [431],
  },
  {
    name: '100 header fields (limitRequestFields)',
    payload: request('GET / HTTP/1.1', [host, close, ...Array.from({ length: 98 }, (_, i) => `X-${i}: v`)]),
    statuses: [200],
    check: environIs('HTTP_X_97', 'v'),
  },
  {
    name: '101 header fields',
    payload: request('GET / HTTP/1.1', [host, close, ...Array.from({ length: 99 }, (_, i) => `X-${i}: v`)]),
    statuses: [431],
  },
  {
    name: '3000 tiny header lines under maxHeaderSize',
    payload: request('GET / HTTP/1.1', [host, close, ...Array.from({ length: 3000 }, () => 'a:')]),
    statuses: [431],
  },
  {
    name: 'header block just under the limit',
    payload: withHeader(`X-Big: ${'a'.repeat(7000)}`),
    statuses: [200],
    check: (report) => expectEqual(report.environ.HTTP_X_BIG?.length, 7000, 'HTTP_X_BIG length'),
  },
  {
    name: 'Expect: 100-continue with a body over the limit gets 413 and no 100',
    payload: post(['Expect: 100-continue', 'Content-Length: 2000000'], ''),
    statuses: [413],
  },
  {
    name: 'Expect: 100-continue with its body',
    payload: post(['Expect: 100-continue', 'Content-Length: 3'], 'abc'),
    statuses: [200],
    check: bodyIs(3),
  },
  {
    name: 'unknown expectation',
    payload: post(['Expect: teapot', 'Content-Length: 0'], ''),
    statuses: [417],
  },
];

const get = (path: string, last = false) => request(`GET ${path} HTTP/1.1`, last ? [host, close] : [host]);
const pipelines: HostileCase[] = [
  {
    name: 'three pipelined GETs answered in order',
    payload: get('/1') + get('/2') + get('/3', true),
    statuses: [200, 200, 200],
    paths: ['/1', '/2', '/3'],
  },
  {
    name: 'twenty pipelined POSTs with bodies',
    payload:
      Array.from({ length: 19 }, (_, i) =>
        request(`POST /${i} HTTP/1.1`, [host, `Content-Length: ${i}`], 'x'.repeat(i)),
      ).join('') + request('POST /19 HTTP/1.1', [host, close, 'Content-Length: 19'], 'x'.repeat(19)),
    statuses: Array.from({ length: 20 }, () => 200),
    paths: Array.from({ length: 20 }, (_, i) => `/${i}`),
  },
  {
    name: 'pipelined chunked and Content-Length bodies',
    payload:
      request('POST /a HTTP/1.1', [host, 'Transfer-Encoding: chunked'], '3\r\nabc\r\n0\r\n\r\n') +
      request('POST /b HTTP/1.1', [host, close, 'Content-Length: 2'], 'de'),
    statuses: [200, 200],
    paths: ['/a', '/b'],
  },
  {
    name: 'pipelined HEAD between GETs keeps framing',
    payload: get('/1') + request('HEAD /2 HTTP/1.1', [host]) + get('/3', true),
    statuses: [200, 200, 200],
    methods: ['GET', 'HEAD', 'GET'],
    paths: ['/1', '', '/3'],
  },
  {
    name: 'a malformed second request ends the pipeline after the first answer',
    payload: `${get('/1')}GET /2 HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n${get('/3', true)}`,
    statuses: [200, 400],
    paths: ['/1'],
  },
  {
    name: 'a request after Connection: close is not answered (and does not cost the first its answer)',
    payload: get('/1', true) + get('/2', true),
    statuses: [200],
    paths: ['/1'],
  },
  {
    name: 'a stray CRLF after a Connection: close request',
    payload: `${get('/1', true)}\r\n`,
    statuses: [200],
    paths: ['/1'],
  },
  {
    name: 'two valid requests, then a refused one',
    payload: get('/1') + get('/2') + request('POST /3 HTTP/1.1', [host, 'Transfer-Encoding: gzip'], 'abc'),
    statuses: [200, 200, 400],
    paths: ['/1', '/2'],
  },
  {
    name: 'HTTP/1.0 keep-alive pipeline',
    payload: request('GET /1 HTTP/1.0', ['Connection: keep-alive']) + request('GET /2 HTTP/1.0', []),
    statuses: [200, 200],
  },
];

/** Clients that shut down their sending side (`nc -N`, HTTP/1.0 scripts, health checkers) and keep reading. */
const halfClosed: HostileCase[] = [
  {
    name: 'a request, then a half-close',
    payload: request('GET /half HTTP/1.1', [host]),
    halfClose: true,
    statuses: [200],
    check: environIs('PATH_INFO', '/half'),
  },
  {
    name: 'a POST with its whole body, then a half-close',
    payload: request('POST / HTTP/1.1', [host, 'Content-Length: 5'], 'hello'),
    halfClose: true,
    statuses: [200],
    check: bodyIs(5),
  },
  {
    name: 'a chunked POST with its last chunk, then a half-close',
    payload: request('POST / HTTP/1.1', [host, 'Transfer-Encoding: chunked'], '5\r\nhello\r\n0\r\n\r\n'),
    halfClose: true,
    statuses: [200],
    check: bodyIs(5),
  },
  {
    name: 'three pipelined requests, then a half-close: all answered in order',
    payload: get('/1') + get('/2') + get('/3'),
    halfClose: true,
    statuses: [200, 200, 200],
    paths: ['/1', '/2', '/3'],
  },
  {
    name: 'an HTTP/1.0 request, then a half-close',
    payload: request('GET /old HTTP/1.0', []),
    halfClose: true,
    statuses: [200],
    check: environIs('SERVER_PROTOCOL', 'HTTP/1.0'),
  },
  { name: 'a half-close before anything was sent', payload: '', halfClose: true, statuses: [] },
  {
    name: 'half the headers, then a half-close',
    payload: 'GET / HTTP/1.1\r\nHost: a\r\nX-Half: ',
    halfClose: true,
    statuses: [400],
  },
  {
    name: 'half the declared body, then a half-close',
    payload: request('POST / HTTP/1.1', [host, 'Content-Length: 10'], 'half'),
    halfClose: true,
    statuses: [400],
  },
  {
    name: 'a chunked body without its last chunk, then a half-close',
    payload: request('POST / HTTP/1.1', [host, 'Transfer-Encoding: chunked'], '5\r\nhello\r\n'),
    halfClose: true,
    statuses: [400],
  },
];

export const hostileCases: HostileCase[] = [
  ...smuggling,
  ...chunks,
  ...injection,
  ...spoofing,
  ...hosts,
  ...targets,
  ...sizes,
  ...pipelines,
  ...halfClosed,
];

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HTTPServerRequest } from '../src/index.js';
import { rawRequest, serve, statusOf } from './helpers.js';

// gunicorn's limit_request_line / limit_request_fields / limit_request_field_size as HTTPServer options: a request
// over one is answered 414 or 431 and closed before the application sees it; one at the limit is served.
type Served = Awaited<ReturnType<typeof serve>>;
const seen: { uri: string; fields: number }[] = [];
const handler = async (request: HTTPServerRequest) => {
  seen.push({ uri: request.uri, fields: request.rawHeaders.length / 2 });
  await request.connection.respond(200, 'served');
};

let limited: Served;
let defaults: Served;
let unlimited: Served;
beforeAll(async () => {
  limited = await serve(handler, { limitRequestLine: 100, limitRequestFields: 5, limitRequestFieldSize: 64 });
  defaults = await serve(handler);
  unlimited = await serve(handler, {
    limitRequestLine: 0,
    limitRequestFields: 0,
    limitRequestFieldSize: 0,
    maxHeaderSize: 1 << 20,
  });
});
afterAll(async () => {
  await limited.close();
  await defaults.close();
  await unlimited.close();
});

/** `GET <target> HTTP/1.1` with Host, Connection: close and `extra` header lines. */
const get = (target: string, extra: string[] = []) =>
  `GET ${target} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n${extra.map((line) => `${line}\r\n`).join('')}\r\n`;
/** A target that makes `GET <target> HTTP/1.1` exactly `length` bytes long. */
const targetFor = (length: number) => `/${'a'.repeat(length - 'GET / HTTP/1.1'.length)}`;
const fillers = (count: number) => Array.from({ length: count }, (_, index) => `X-${index}: v`);

async function expectRefused(served: Served, payload: string, status: number, logged: RegExp) {
  const before = served.logger.lines.length;
  const handled = seen.length;
  const { data, closed } = await rawRequest(served.port, payload);
  expect(statusOf(data)).toBe(status);
  expect(data).toMatch(/\r\nConnection: close\r\n/i);
  expect(closed).toBe(true);
  expect(seen.length).toBe(handled);
  expect(
    served.logger.lines
      .slice(before)
      .map((line) => line.text)
      .join('\n'),
  ).toMatch(logged);
}

async function expectServed(served: Served, payload: string) {
  const { data, closed } = await rawRequest(served.port, payload);
  expect(statusOf(data)).toBe(200);
  expect(data.endsWith('served')).toBe(true);
  expect(closed).toBe(true);
}

describe('limitRequestLine', () => {
  it('a request line one byte over the limit gets 414; one at the limit is served', async () => {
    await expectRefused(limited, get(targetFor(101)), 414, /414 GET \/a+ .*limitRequestLine/);
    await expectServed(limited, get(targetFor(100)));
  });

  it('defaults to 8190 bytes: a 7900-byte path (RFC 9112 §3 asks for 8000-octet lines) is served', async () => {
    await expectServed(defaults, get(`/${'p'.repeat(7900)}`));
    await expectServed(defaults, get(targetFor(8190)));
    await expectRefused(defaults, get(targetFor(8191)), 414, /414 GET .*limitRequestLine/);
  });

  it('the refusal log line shows the start of a long target, not all of it', async () => {
    const before = defaults.logger.lines.length;
    await rawRequest(defaults.port, get(targetFor(40_000)));
    const line = defaults.logger.lines.slice(before).find((entry) => entry.text.startsWith('414'));
    expect(line?.text).toMatch(/… \(\d+ bytes\)/);
    expect(line!.text.length).toBeLessThan(400);
  });

  it('a request line longer than maxHeaderSize is refused by the parser with 431', async () => {
    await expectRefused(defaults, get(targetFor(70_000)), 431, /HPE_HEADER_OVERFLOW/);
  });
});

describe('limitRequestFields', () => {
  it('one field over the limit gets 431; the limit itself is served (Host and Connection count)', async () => {
    await expectRefused(limited, get('/', fillers(4)), 431, /more than 5 header fields/);
    await expectServed(limited, get('/', fillers(3)));
  });

  it('defaults to 100 fields', async () => {
    await expectServed(defaults, get('/', fillers(98)));
    await expectRefused(defaults, get('/', fillers(99)), 431, /more than 100 header fields/);
  });

  it('6000 tiny header lines under maxHeaderSize are refused without building them all', async () => {
    const payload = get(
      '/',
      Array.from({ length: 6000 }, () => 'a:'),
    );
    expect(payload.length).toBeLessThan(65_536);
    await expectRefused(defaults, payload, 431, /more than 100 header fields/);
  });

  it('0 disables the limit: node then keeps every line', async () => {
    await expectServed(unlimited, get('/', fillers(3000)));
    expect(seen.at(-1)?.fields).toBe(3002);
  });
});

describe('limitRequestFieldSize', () => {
  it('a field (name, ": " and value) one byte over the limit gets 431; one at the limit is served', async () => {
    const value = (size: number) => `X-Big: ${'b'.repeat(size - 'X-Big: '.length)}`;
    await expectRefused(limited, get('/', [value(65)]), 431, /header field X-Big is over 64 bytes/);
    await expectServed(limited, get('/', [value(64)]));
  });

  it('defaults to 8190 bytes, for names and values alike', async () => {
    await expectServed(defaults, get('/', [`X-Big: ${'b'.repeat(8183)}`]));
    await expectRefused(defaults, get('/', [`X-Big: ${'b'.repeat(8184)}`]), 431, /X-Big is over 8190/);
    await expectRefused(defaults, get('/', [`${'N'.repeat(8200)}: v`]), 431, /is over 8190 bytes/);
  });

  it('0 disables the limit (maxHeaderSize still bounds the block)', async () => {
    await expectServed(unlimited, get('/', [`X-Big: ${'b'.repeat(100_000)}`]));
  });
});

import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HTTPServerRequest } from '../src/index.js';
import { rawRequest, serve, statusOf } from './helpers.js';

// A chunked request's trailer section: fields RFC 9110 §6.5.1 rules out are refused with 400 and a close, however
// the body is read; the others are left on node's `incoming.trailers` and never join the headers.
type Served = Awaited<ReturnType<typeof serve>>;
interface Seen {
  uri: string;
  outcome: string;
  headers: readonly string[];
  trailers: readonly string[];
}
const seen: Seen[] = [];

async function handler(request: HTTPServerRequest) {
  const entry: Seen = { uri: request.uri, outcome: '', headers: request.rawHeaders, trailers: [] };
  seen.push(entry);
  if (request.uri === '/unread') {
    await request.connection.respond(200, 'not read');
    return;
  }
  try {
    if (request.uri === '/stream') {
      let length = 0;
      for await (const chunk of request.bodyStream!) length += chunk.length;
      entry.outcome = `streamed ${length}`;
    } else {
      entry.outcome = `read ${(await request.readBody()).length}`;
    }
  } catch (error) {
    entry.outcome = `${(error as Error).name} ${(error as { status?: number }).status}`;
    throw error;
  }
  entry.trailers = request.incoming.rawTrailers;
  await request.connection.respond(200, entry.outcome);
}

let served: Served;
let small: Served;
let gunzipping: Served;
beforeAll(async () => {
  served = await serve(handler);
  small = await serve(handler, { limitRequestFields: 3, limitRequestFieldSize: 40 });
  gunzipping = await serve(handler, { decompressRequest: true });
});
afterAll(async () => {
  await served.close();
  await small.close();
  await gunzipping.close();
});

const chunkedPost = (path: string, trailers: string[], keepAlive = false) =>
  `POST ${path} HTTP/1.1\r\nHost: a\r\n${keepAlive ? '' : 'Connection: close\r\n'}Transfer-Encoding: chunked\r\n\r\n` +
  `3\r\nabc\r\n0\r\n${trailers.map((line) => `${line}\r\n`).join('')}\r\n`;

// A few of each kind: the reliability corpus runs the whole list on every executor.
const forbidden = [
  'Host: evil',
  'host: evil',
  'Authorization: Bearer x',
  'Content-Type: text/evil',
  'Trailer: X-T',
  'X-Forwarded-For: 6.6.6.6',
];

describe('forbidden trailer fields', () => {
  it.each(forbidden)('%s → 400 and close; the body read fails with the refusal', async (line) => {
    const before = seen.length;
    const logged = served.logger.lines.length;
    const { data, closed } = await rawRequest(served.port, chunkedPost('/read', ['X-Fine: 1', line], true));
    expect(statusOf(data)).toBe(400);
    expect(data).toMatch(/\r\nConnection: close\r\n/i);
    expect(closed).toBe(true);
    expect(seen.slice(before).map((entry) => entry.outcome)).toEqual(['HTTPInputError 400']);
    expect(served.logger.lines[logged]?.text).toMatch(
      new RegExp(`${line.slice(0, line.indexOf(':'))} is not allowed in a trailer section \\(RFC 9110`),
    );
  });

  it('Content-Length and Transfer-Encoding in trailers are refused by node’s parser (400)', async () => {
    for (const line of ['Content-Length: 5', 'Transfer-Encoding: chunked']) {
      const { data, closed } = await rawRequest(served.port, chunkedPost('/read', [line]));
      expect(statusOf(data)).toBe(400);
      expect(closed).toBe(true);
    }
  });

  it('a streaming reader gets the refusal at the end of the body', async () => {
    const before = seen.length;
    const { data } = await rawRequest(served.port, chunkedPost('/stream', ['Host: evil']));
    expect(statusOf(data)).toBe(400);
    expect(seen.slice(before).map((entry) => entry.outcome)).toEqual(['HTTPInputError 400']);
  });

  it('with decompressRequest the gzip body is refused before the application runs', async () => {
    const gzipped = gzipSync('hello').toString('latin1');
    const before = seen.length;
    const { data, closed } = await rawRequest(
      gunzipping.port,
      'POST /read HTTP/1.1\r\nHost: a\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n' +
        `${gzipped.length.toString(16)}\r\n${gzipped}\r\n0\r\nAuthorization: x\r\n\r\n`,
    );
    expect(statusOf(data)).toBe(400);
    expect(closed).toBe(true);
    expect(seen.length).toBe(before);
  });

  it('an application that answers without reading never sees them: they are discarded with the body', async () => {
    // RFC 9110 §6.5.2 lets a recipient discard trailers; the framing was sound, so the connection serves on.
    const before = seen.length;
    const { data, closed } = await rawRequest(
      served.port,
      `${chunkedPost('/unread', ['Host: evil'], true)}GET /after HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`,
    );
    expect([...data.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => match[1])).toEqual(['200', '200']);
    expect(closed).toBe(true);
    expect(seen.slice(before).map((entry) => entry.uri)).toEqual(['/unread', '/after']);
  });
});

describe('allowed trailer fields', () => {
  it('stay trailers: on incoming.rawTrailers, never in rawHeaders; the connection is kept alive', async () => {
    const before = seen.length;
    const { data, closed } = await rawRequest(
      served.port,
      chunkedPost('/read', ['X-Checksum: abc', 'Server-Timing: db;dur=1'], true),
      500,
    );
    expect(statusOf(data)).toBe(200);
    expect(closed).toBe(false);
    const [entry] = seen.slice(before);
    expect(entry?.outcome).toBe('read 3');
    expect(entry?.trailers).toEqual(['X-Checksum', 'abc', 'Server-Timing', 'db;dur=1']);
    expect(entry?.headers.map((value) => value.toLowerCase())).not.toContain('x-checksum');
  });
});

describe('trailer limits', () => {
  it('more trailer fields than limitRequestFields → 431', async () => {
    const { data, closed } = await rawRequest(
      small.port,
      chunkedPost('/read', ['A: 1', 'B: 2', 'C: 3', 'D: 4']),
    );
    expect(statusOf(data)).toBe(431);
    expect(closed).toBe(true);
    expect(small.logger.text()).toMatch(/more than 3 trailer fields/);
  });

  it('a trailer field over limitRequestFieldSize → 431', async () => {
    const { data } = await rawRequest(small.port, chunkedPost('/read', [`X-Long: ${'v'.repeat(40)}`]));
    expect(statusOf(data)).toBe(431);
    expect(small.logger.text()).toMatch(/trailer field X-Long is over 40 bytes/);
  });
});

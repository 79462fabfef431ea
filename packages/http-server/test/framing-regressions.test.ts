import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HTTPServerRequest } from '../src/index.js';
import { delay, rawRequest, serve } from './helpers.js';

// Found by the hostile-request corpus in tests/reliability: each case once reached the application (or lost a
// valid request's answer).
type Served = Awaited<ReturnType<typeof serve>>;
let served: Served;

/** The same callback with no header-count limit: node then collects every line, and the checks see them all. */
let unlimited: Served;
const handled: string[] = [];

beforeAll(async () => {
  const callback = async (request: HTTPServerRequest) => {
    handled.push(request.uri);
    if (request.uri.startsWith('/sync')) {
      // Answered in the same tick: the response is written before node parses the next pipelined request.
      void request.connection.respond(200, `${request.uri} sync`);
      return;
    }
    const body = await request.readBody();
    await request.connection.respond(200, `${request.uri} ${body.length}`);
  };
  served = await serve(callback);
  unlimited = await serve(callback, { limitRequestFields: 0 });
});
afterAll(async () => {
  await served.close();
  await unlimited.close();
});

const responses = (data: string) =>
  [...data.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));
const filler = Array.from({ length: 2100 }, (_, index) => `X-${index}: v\r\n`).join('');

describe('framing checks cannot be bypassed', () => {
  it('Transfer-Encoding split over two lines (gzip, then chunked) is refused like "gzip, chunked"', async () => {
    const { data, closed } = await rawRequest(
      served.port,
      'POST /te HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
    );
    expect(responses(data)).toEqual([400]);
    expect(closed).toBe(true);
    expect(handled).not.toContain('/te');
  });

  it('a second Host after 2100 header lines is still seen (node drops lines past 2000 by default)', async () => {
    const payload = `GET /hosts HTTP/1.1\r\nHost: a\r\n${filler}Host: b\r\nConnection: close\r\n\r\n`;
    expect(responses((await rawRequest(unlimited.port, payload)).data)).toEqual([400]);
    // With the default limit of 100 fields, the request is refused for its size before anything else.
    expect(responses((await rawRequest(served.port, payload)).data)).toEqual([431]);
    expect(handled).not.toContain('/hosts');
  });

  it('a Transfer-Encoding after 2100 header lines is still checked', async () => {
    const payload = `POST /late-te HTTP/1.1\r\nHost: a\r\n${filler}Transfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`;
    expect(responses((await rawRequest(unlimited.port, payload)).data)).toEqual([400]);
    expect(responses((await rawRequest(served.port, payload)).data)).toEqual([431]);
    expect(handled).not.toContain('/late-te');
  });

  it('a second Host just past limitRequestFields is refused, not dropped with the lines node stops collecting', async () => {
    const hundred = Array.from({ length: 99 }, (_, index) => `X-${index}: v\r\n`).join('');
    const { data, closed } = await rawRequest(
      served.port,
      `GET /just-past HTTP/1.1\r\nHost: a\r\n${hundred}Host: b\r\nConnection: close\r\n\r\n`,
    );
    expect(responses(data)).toEqual([431]);
    expect(closed).toBe(true);
    expect(handled).not.toContain('/just-past');
  });
});

describe('a bad request pipelined behind a good one', () => {
  it('the good one is answered first, then the 400', async () => {
    const { data, closed } = await rawRequest(
      served.port,
      'GET /first HTTP/1.1\r\nHost: a\r\n\r\nGET /second HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n',
    );
    expect(responses(data)).toEqual([200, 400]);
    expect(data).toContain('/first 0');
    expect(closed).toBe(true);
  });

  it('two good ones queued before the bad one are both answered, in order', async () => {
    const { data } = await rawRequest(
      served.port,
      'POST /p1 HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx' +
        'GET /p2 HTTP/1.1\r\nHost: a\r\n\r\n' +
        'GET /p3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n',
    );
    expect(responses(data)).toEqual([200, 200, 400]);
    expect(data.indexOf('/p1 1')).toBeLessThan(data.indexOf('/p2 0'));
  });

  it('responses written in the same tick as their request are not cut off by the refusal', async () => {
    const { data } = await rawRequest(
      served.port,
      'GET /sync1 HTTP/1.1\r\nHost: a\r\n\r\nGET /sync2 HTTP/1.1\r\nHost: a\r\n\r\n' +
        'POST /bad HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nabc',
    );
    expect(responses(data)).toEqual([200, 200, 400]);
    expect(data.indexOf('/sync1 sync')).toBeLessThan(data.indexOf('/sync2 sync'));
  });

  it('bytes after a Connection: close request do not cost it its answer', async () => {
    const { data, closed } = await rawRequest(
      served.port,
      'GET /closing HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /ignored HTTP/1.1\r\nHost: a\r\n\r\n',
    );
    expect(responses(data)).toEqual([200]);
    expect(data).toContain('/closing 0');
    expect(closed).toBe(true);
    expect(handled).not.toContain('/ignored');
  });
});

describe('a body the server refused after the application started reading it', () => {
  it('fails the reader with StreamClosedError instead of leaving it waiting forever', async () => {
    const outcome: string[] = [];
    const reading = await serve(async (request) => {
      try {
        for await (const _chunk of request.bodyStream!) outcome.push('chunk');
        outcome.push('ended');
      } catch (error) {
        outcome.push((error as Error).name);
      }
    });
    try {
      const socket = connect(reading.port, '127.0.0.1');
      socket.on('error', () => {});
      socket.write('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n');
      await delay(100); // the application is now waiting for the body
      socket.write('g\r\nabc\r\n0\r\n\r\n');
      for (let waited = 0; waited < 3000 && outcome.length === 0; waited += 20) await delay(20);
      socket.destroy();
      expect(outcome).toEqual(['StreamClosedError']);
    } finally {
      await reading.close();
    }
  });
});

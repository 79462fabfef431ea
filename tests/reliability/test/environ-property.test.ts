import { WSGIContainer } from '@tsgi/container';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testLogger } from '../../../test-support/test-logger.js';
import type { EnvironReport } from './support/gateway-target.js';
import { serveOnLoopback } from './support/gateway-target.js';
import { parseResponses } from './support/http-wire.js';
import { exchange } from './support/raw-client.js';

// Random requests sent over a real socket to a real WSGIContainer: the environ the application sees matches a model
// of PEP 3333's mapping (paths percent-decoded byte for byte to latin-1, the query raw, headers upper-cased with
// repeats joined by commas, the body read intact).
const { app } = await import('../fixtures/environ-app.mjs');
const runs = Number(process.env.RELIABILITY_PROPERTY_RUNS ?? 150);

let served: Awaited<ReturnType<typeof serveOnLoopback>>;
beforeAll(async () => {
  served = await serveOnLoopback(new WSGIContainer(app, { logger: testLogger() }));
});
afterAll(() => served.close());

const UNRESERVED = /[A-Za-z0-9\-._~!$&'()*+,;=:@]/;
const hex = (byte: number) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;

/** One path segment as bytes, encoded (unreserved bytes sometimes raw, sometimes escaped), and its model. */
const segment = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.boolean()), { maxLength: 12 })
  .map((bytes) => ({
    encoded: bytes
      .map(([byte, raw]) => {
        const character = String.fromCharCode(byte);
        return raw && UNRESERVED.test(character) ? character : hex(byte);
      })
      .join(''),
    decoded: bytes.map(([byte]) => String.fromCharCode(byte)).join(''),
  }));

const queryText = fc
  .array(
    fc.oneof(
      fc.constantFrom(..."abcXYZ019-._~!$&'()*+,;=:@/?".split('')),
      fc.integer({ min: 0, max: 255 }).map(hex),
    ),
    { maxLength: 20 },
  )
  .map((parts) => parts.join(''));

const headerName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,10}$/).map((name) => `X-${name}`);
// Visible ASCII and latin-1 obs-text, with inner spaces; no leading or trailing whitespace.
const headerValue = fc
  .array(
    fc.oneof(fc.integer({ min: 0x21, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(0x20)),
    { maxLength: 24 },
  )
  .map((codes) => String.fromCharCode(...codes).trim());

const requestShape = fc.record({
  segments: fc.array(segment, { minLength: 1, maxLength: 5 }),
  query: fc.option(queryText, { nil: undefined }),
  headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 12 }),
  body: fc.option(fc.uint8Array({ maxLength: 2048 }), { nil: undefined }),
});

function headerModel(headers: [string, string][]): Record<string, string> {
  const model: Record<string, string> = {};
  for (const [name, value] of headers) {
    const key = `HTTP_${name.toUpperCase().replaceAll('-', '_')}`;
    model[key] = key in model ? `${model[key]},${value}` : value;
  }
  return model;
}

describe('request → environ through a real server', () => {
  it(`matches the model for ${runs} random requests`, async () => {
    await fc.assert(
      fc.asyncProperty(requestShape, async ({ segments, query, headers, body }) => {
        const path = `/${segments.map((part) => part.encoded).join('/')}`;
        const target = query === undefined ? path : `${path}?${query}`;
        const lines = [`POST ${target} HTTP/1.1`, 'Host: example.org:8080', 'Connection: close'];
        for (const [name, value] of headers) lines.push(`${name}: ${value}`);
        if (body !== undefined) lines.push(`Content-Length: ${body.length}`);
        const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
        const { data } = await exchange(served.port, Buffer.concat([head, body ?? Buffer.alloc(0)]));
        const parsed = parseResponses(data);
        expect(parsed.finals.map((response) => response.status)).toEqual([200]);
        const report = JSON.parse(parsed.finals[0]!.body.toString()) as EnvironReport;
        const environ = report.environ;
        expect(environ.PATH_INFO).toBe(`/${segments.map((part) => part.decoded).join('/')}`);
        expect(environ.QUERY_STRING).toBe(query ?? '');
        expect(environ.REQUEST_URI).toBe(target);
        expect(environ.SERVER_NAME).toBe('example.org');
        expect(environ.SERVER_PORT).toBe('8080');
        const sentHeaders = Object.fromEntries(
          Object.entries(environ).filter(([key]) => key.startsWith('HTTP_X_')),
        );
        expect(sentHeaders).toEqual(headerModel(headers));
        expect(report.bodyLength).toBe(body?.length ?? 0);
        expect(environ.CONTENT_LENGTH).toBe(body === undefined ? undefined : String(body.length));
      }),
      { numRuns: runs },
    );
  });
});

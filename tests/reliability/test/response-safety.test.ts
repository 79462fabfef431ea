import { join } from 'node:path';
import { WSGIContainer } from '@tsgi/container';
import { ThreadPoolExecutor } from '@tsgi/executors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testLogger } from '../../../test-support/test-logger.js';
import { serveOnLoopback } from './support/gateway-target.js';
import { request } from './support/hostile-corpus.js';
import { header, parseResponses, type WireResponse } from './support/http-wire.js';
import { delay, exchange } from './support/raw-client.js';

// Applications that misbehave at every stage, behind a real WSGIContainer on a real HTTPServer. Whatever they do,
// each request gets one well-framed response (a 500 page when nothing was sent yet) or an aborted connection —
// never a hang, never bytes a proxy could read as a second response.
const { app } = await import('../fixtures/hostile-apps.mjs');
const appReference = `${join(import.meta.dirname, '../fixtures/hostile-apps.mjs')}#app`;

type Outcome =
  /** One complete response with this status, and the connection still serves the request pipelined behind it. */
  | { status: number; reason?: string; body?: string; absentHeaders?: string[] }
  /** Headers (maybe some body) went out, then the connection was closed: the response is visibly incomplete. */
  | 'abort';

const cases: [name: string, outcome: Outcome, method?: string][] = [
  ['crlf-in-status', { status: 500, absentHeaders: ['X-Injected'] }],
  ['lf-in-status', { status: 500, absentHeaders: ['X-Injected'] }],
  ['crlf-in-value', { status: 500, absentHeaders: ['X-Injected', 'X-A'] }],
  ['lf-in-value', { status: 500, absentHeaders: ['X-Injected', 'X-A'] }],
  ['cr-in-value', { status: 500, absentHeaders: ['X-Injected', 'X-A'] }],
  ['nul-in-value', { status: 500, absentHeaders: ['X-A'] }],
  ['response-splitting-value', { status: 500, absentHeaders: ['X-A'] }],
  ['crlf-in-name', { status: 500, absentHeaders: ['X-Injected'] }],
  ['colon-in-name', { status: 500 }],
  ['space-in-name', { status: 500 }],
  ['empty-name', { status: 500 }],
  ['non-latin1-value', { status: 500, absentHeaders: ['X-A'] }],
  ['status-without-reason', { status: 200, reason: 'OK', body: 'no reason' }],
  ['status-not-a-number', { status: 500 }],
  ['status-two-digits', { status: 500 }],
  ['status-four-digits', { status: 500 }],
  ['status-1xx', { status: 500, absentHeaders: ['Upgrade'] }],
  ['status-100', { status: 500 }],
  ['content-length-longer', 'abort'],
  ['content-length-shorter', { status: 200, body: 'ab' }],
  ['content-length-negative', { status: 500 }],
  ['content-length-not-a-number', { status: 500 }],
  ['content-length-list', { status: 500 }],
  ['content-length-twice', { status: 500 }],
  ['chunk-number', { status: 500 }],
  ['chunk-null', { status: 500 }],
  ['chunk-object', { status: 500 }],
  ['chunk-array-of-numbers', { status: 500 }],
  ['chunk-bad-after-output', 'abort'],
  ['returns-null', { status: 500 }],
  ['returns-number', { status: 500 }],
  ['never-starts-response', { status: 500 }],
  ['throws-before-start-response', { status: 500 }],
  ['throws-after-start-response', { status: 500 }],
  ['start-response-twice', { status: 500 }],
  ['throws-in-first-next', { status: 500 }],
  ['throws-in-middle-next', 'abort'],
  // The first chunk of an iterable goes out at once, so close() fails after the headers: abort.
  ['throws-in-close', 'abort'],
  ['throws-in-next-and-close', { status: 500 }],
  ['write-then-throw', { status: 500 }],
  ['exc-info-after-output', 'abort'],
  ['exc-info-before-output', { status: 503, reason: 'Busy', body: 'busy' }],
  ['body-on-204', { status: 204, body: '', absentHeaders: ['Content-Length'] }],
  ['body-on-304', { status: 304, body: '' }],
  ['generator-on-head', { status: 200, body: '' }, 'HEAD'],
  ['server-header-spoof', { status: 200, body: 'x' }],
];

/** Iterables whose close() must have run exactly once when the response is over. */
const counted = new Set([
  'content-length-longer',
  'content-length-shorter',
  'chunk-bad-after-output',
  'throws-in-first-next',
  'throws-in-middle-next',
  'throws-in-close',
  'throws-in-next-and-close',
  'exc-info-after-output',
  'generator-on-head',
]);

const executors = [
  ['inline', () => new WSGIContainer(app, { logger })],
  ['thread pool', () => new WSGIContainer(appReference, { logger, executor: pool })],
] as const;

let pool: ThreadPoolExecutor;
const logger = testLogger();
const closeLine = /closed (\S+)$/;

beforeAll(() => {
  pool = new ThreadPoolExecutor({ maxWorkers: 2 });
});
afterAll(() => pool.close());

function expectWellFramed(response: WireResponse, context: string) {
  // Never both framings, never a repeated length (checked by the parser); a body only where one is allowed.
  expect(response.framing === 'chunked' && header(response, 'content-length') !== undefined, context).toBe(
    false,
  );
}

describe.each(executors)(
  `response-side safety (${cases.length} misbehaving applications), %s`,
  (_executor, makeContainer) => {
    let served: Awaited<ReturnType<typeof serveOnLoopback>>;
    beforeAll(async () => {
      served = await serveOnLoopback(makeContainer());
    });
    afterAll(() => served.close());

    it.each(cases)('%s', async (name, outcome, method = 'GET') => {
      const problems = () =>
        [...logger.lines, ...served.logger.lines].filter(
          (line) => line.level !== 'info' && !closeLine.test(line.text),
        ).length;
      const closesBefore = logger.lines.filter((line) => line.text.endsWith(`closed ${name}`)).length;
      const problemsBefore = problems();
      const payload =
        request(`${method} /${name} HTTP/1.1`, ['Host: a']) +
        request('GET /fine/after HTTP/1.1', ['Host: a', 'Connection: close']);
      const { data, closed } = await exchange(served.port, payload, 5000);
      const parsed = parseResponses(data, [method, 'GET'], closed);
      const context = `${name}: ${JSON.stringify(data.toString('latin1').slice(0, 800))}`;
      expect(closed, context).toBe(true);
      expect(parsed.error, context).toBeUndefined();
      expect(parsed.trailing.length, context).toBe(0);
      expect(parsed.responses.length, context).toBe(parsed.finals.length);
      for (const response of parsed.finals) expectWellFramed(response, context);
      const [first, second] = parsed.finals;
      if (outcome === 'abort') {
        // Exactly one response, visibly cut short, and nothing after it.
        expect(parsed.finals.length, context).toBe(1);
        expect(first!.complete, context).toBe(false);
      } else {
        expect(
          parsed.finals.map((response) => response.status),
          context,
        ).toEqual([outcome.status, 200]);
        expect(first!.complete && second!.complete, context).toBe(true);
        if (outcome.reason !== undefined) expect(first!.reason).toBe(outcome.reason);
        if (outcome.body !== undefined) expect(first!.body.toString('latin1')).toBe(outcome.body);
        for (const name of outcome.absentHeaders ?? []) expect(header(first!, name), context).toBeUndefined();
        expect(second!.body.toString()).toBe('fine /fine/after');
      }
      // Every failure leaves a log line (an error, or a warning for a body short of its Content-Length).
      if (outcome === 'abort' || outcome.status === 500)
        expect(problems(), context).toBeGreaterThan(problemsBefore);
      if (counted.has(name)) {
        const closes = () =>
          logger.lines.filter((line) => line.text.endsWith(`closed ${name}`)).length - closesBefore;
        await logger.nextLine((line) => line.text.endsWith(`closed ${name}`) && closes() > 0);
        // Long enough for a second close() to show up, were there one.
        await delay(50);
        expect(closes(), `${name}: close() calls`).toBe(1);
      }
      // The server still answers on a fresh connection.
      const next = await exchange(
        served.port,
        request('GET /fine/next HTTP/1.1', ['Host: a', 'Connection: close']),
      );
      expect(parseResponses(next.data).finals.map((response) => response.status)).toEqual([200]);
    });

    it('the application cannot replace the Server header with its own value twice or add a second response', async () => {
      const { data } = await exchange(
        served.port,
        request('GET /server-header-spoof HTTP/1.1', ['Host: a', 'Connection: close']),
      );
      const parsed = parseResponses(data);
      expect(parsed.finals.length).toBe(1);
      expect(parsed.finals[0]!.headers.filter(([name]) => /^server$/i.test(name)).length).toBe(1);
    });
  },
);

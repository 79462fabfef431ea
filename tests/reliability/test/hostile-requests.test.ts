import { join } from 'node:path';
import { WSGIContainer } from '@tsgi/container';
import { ThreadPoolExecutor } from '@tsgi/executors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testLogger } from '../../../test-support/test-logger.js';
import { type EnvironReport, gatewayTarget, serveOnLoopback } from './support/gateway-target.js';
import { hostileCases } from './support/hostile-corpus.js';
import { parseResponses } from './support/http-wire.js';
import { exchange, halfClose, type Step } from './support/raw-client.js';
import { expectStillServing } from './support/still-serving.js';

const { app } = await import('../fixtures/environ-app.mjs');
const options = {
  maxBodySize: 1024 * 1024,
  // Twice the default field and request-line limits, so that those limits (not the block's) answer their cases.
  maxHeaderSize: 16_384,
  headersTimeout: 1000,
  bodyTimeout: 2000,
  idleConnectionTimeout: 1000,
};

// The corpus runs against the gateway-like target (environ built beside the server) and a real WSGIContainer,
// inline and on a thread pool.
let pool: ThreadPoolExecutor | undefined;
afterAll(() => pool?.close());
const targets = [
  ['gateway-like target', () => gatewayTarget],
  ['WSGIContainer (inline)', () => new WSGIContainer(app, { logger: testLogger() })],
  [
    'WSGIContainer (thread pool)',
    () => {
      pool = new ThreadPoolExecutor({ maxWorkers: 2 });
      return new WSGIContainer(`${join(import.meta.dirname, '../fixtures/environ-app.mjs')}#app`, {
        logger: testLogger(),
        executor: pool,
      });
    },
  ],
] as const;

describe.each(targets)('%s', (_target, makeTarget) => {
  type Served = Awaited<ReturnType<typeof serveOnLoopback>>;
  let served: Served;

  beforeAll(async () => {
    served = await serveOnLoopback(makeTarget(), options);
  });
  afterAll(() => served.close());

  describe(`hostile requests (${hostileCases.length} cases)`, () => {
    it('has at least 100 cases with unique names', () => {
      expect(hostileCases.length).toBeGreaterThanOrEqual(100);
      expect(new Set(hostileCases.map((entry) => entry.name)).size).toBe(hostileCases.length);
    });

    it.each(hostileCases.map((entry) => [entry.name, entry] as const))('%s', async (_name, entry) => {
      const steps: Step[] = entry.halfClose ? [entry.payload, halfClose] : [entry.payload];
      const { data, closed } = await exchange(served.port, steps, 4000);
      const parsed = parseResponses(data, entry.methods);
      const context = `${entry.name}\nreceived: ${JSON.stringify(data.toString('latin1').slice(0, 600))}`;
      // Never a hang: every case ends with the server closing the connection.
      expect(closed, context).toBe(true);
      // Exactly the responses expected, each well framed, and nothing a proxy could read as one more.
      expect(parsed.error, context).toBeUndefined();
      expect(parsed.trailing.length, context).toBe(0);
      expect(
        parsed.finals.every((response) => response.complete),
        context,
      ).toBe(true);
      const statuses = parsed.finals.map((response) => response.status);
      expect(statuses.length, context).toBe(entry.statuses.length);
      entry.statuses.forEach((expected, index) => {
        const allowed = Array.isArray(expected) ? expected : [expected];
        expect(allowed, context).toContain(statuses[index]);
      });
      for (const [name, value] of Object.entries(entry.headers ?? {})) {
        for (const response of parsed.finals) {
          expect(
            response.headers.filter(([header]) => header.toLowerCase() === name).map(([, sent]) => sent),
            `${context}\nheader ${name}`,
          ).toEqual([value]);
        }
      }
      // A refusal says it closes the connection.
      for (const response of parsed.finals) {
        if (response.status >= 400) {
          expect(
            response.headers.some(([name, value]) => /^connection$/i.test(name) && /close/i.test(value)),
          ).toBe(true);
        }
      }
      // No interim response unless the client asked for one.
      if (!/Expect: 100-continue/i.test(entry.payload)) {
        expect(parsed.responses.length, context).toBe(parsed.finals.length);
      }
      const reports = parsed.finals
        .filter((response, index) => response.status === 200 && (entry.methods?.[index] ?? 'GET') !== 'HEAD')
        .map((response) => JSON.parse(response.body.toString()) as EnvironReport);
      if (entry.paths !== undefined) {
        expect(reports.map((report) => report.environ.PATH_INFO)).toEqual(
          entry.paths.filter((path) => path !== ''),
        );
      }
      if (entry.check !== undefined) {
        expect(reports.length, context).toBe(1);
        entry.check(reports[0]!);
      }
      await expectStillServing(served.port);
    });
  });
});

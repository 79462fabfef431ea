// Tornado's tornado/test/wsgi_test.py (WSGIContainerDummyExecutorTest), on the inline executor: apps wrapped in
// validator(), a two-party barrier with a 0.3 s timeout. On the event loop two requests cannot overlap, so
// both barrier requests see a broken barrier.

import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { testLogger } from '../../../test-support/test-logger.js';
import { type Environ, type StartResponse, validator, WSGIContainer } from '../src/index.js';
import { Barrier } from './helpers.js';
import { serve, type TestServer } from './serve.js';

let server: TestServer;
let barrier: Barrier;
const logger = testLogger();

function respondPlain(startResponse: StartResponse): void {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
}

const text = (value: string) => new TextEncoder().encode(value);

function simpleApp(_environ: Environ, startResponse: StartResponse) {
  respondPlain(startResponse);
  return [text('Hello world!')];
}

function barrierApp(_environ: Environ, startResponse: StartResponse) {
  respondPlain(startResponse);
  try {
    barrier.wait();
    return [text('ok')];
  } catch {
    return [text('broken barrier')];
  }
}

function streamingBarrierApp(_environ: Environ, startResponse: StartResponse) {
  respondPlain(startResponse);
  return (function* () {
    yield text('ok ');
    try {
      barrier.wait();
      yield text('ok');
    } catch {
      yield text('broken barrier');
    }
  })();
}

const routes: Record<string, ReturnType<typeof validator>> = {
  '/simple': validator(simpleApp),
  '/barrier': validator(barrierApp),
  '/streaming_barrier': validator(streamingBarrierApp),
};

beforeEach(async () => {
  barrier = new Barrier(2, 300);
  const container = new WSGIContainer(
    (environ, startResponse) => routes[environ.PATH_INFO]!(environ, startResponse),
    { logger },
  );
  server = await serve(container);
});
afterEach(() => server.close());

describe('WSGIContainer on the inline executor (Tornado’s dummy executor)', () => {
  test('simple', async () => {
    expect(await (await fetch(`${server.url}/simple`)).text()).toBe('Hello world!');
  });

  test('concurrent barrier: the two app calls cannot overlap', async () => {
    const bodies = await Promise.all([0, 1].map(async () => (await fetch(`${server.url}/barrier`)).text()));
    expect(bodies).toEqual(['broken barrier', 'broken barrier']);
  });

  test('concurrent streaming barrier: chunks concatenate; no overlap across next() calls', async () => {
    const bodies = await Promise.all(
      [0, 1].map(async () => (await fetch(`${server.url}/streaming_barrier`)).text()),
    );
    expect(bodies).toEqual(['ok broken barrier', 'ok broken barrier']);
  });

  test('the validator saw nothing wrong', () => {
    expect(logger.lines.filter((line) => line.level !== 'info')).toEqual([]);
  });
});

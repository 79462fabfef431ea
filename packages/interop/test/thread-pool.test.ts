import { WSGIContainer } from '@tsgi/container';
import { ThreadPoolExecutor } from '@tsgi/executors';
import { RuleRouter } from '@tsgi/http-server';
import { request as undiciRequest } from 'undici';
import { afterEach, expect, it } from 'vitest';
import { testLogger } from '../../../test-support/test-logger.js';
import { serve } from './helpers.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

it('runs native handlers on a worker thread: toWSGIApplication by module reference in a thread pool', async () => {
  const executor = new ThreadPoolExecutor({ maxWorkers: 1 });
  const container = new WSGIContainer(new URL('./fixtures/native-app.mjs#app', import.meta.url).href, {
    executor,
    logger: testLogger(),
  });
  const served = await serve(new RuleRouter([['.*', container]]));
  closers.push(async () => {
    await served.close();
    await executor.close();
  });
  const response = await undiciRequest(`${served.url}/thread`);
  expect(await response.body.text()).toMatch(/^thread [1-9]\d* GET \/thread$/);
  const echoed = await undiciRequest(`${served.url}/echo`, {
    method: 'POST',
    body: Buffer.alloc(200_000, 7),
  });
  expect(Buffer.from(await echoed.body.arrayBuffer()).equals(Buffer.alloc(200_000, 7))).toBe(true);
});

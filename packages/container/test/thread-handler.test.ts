// The path a thread executor takes, run from dist: the gateway handler named by module reference
// (dist/gateway-handler.js), the application by module reference, and every payload and message
// structured-cloned as if it crossed into a worker thread and back.

import { fileURLToPath } from 'node:url';
import { type Executor, InlineExecutor, type Work } from '@tsgi/executors';
import { afterEach, expect, test } from 'vitest';
import { testLogger } from '../../../test-support/test-logger.js';
import { serve, type TestServer } from './serve.js';

// From dist (built by `pnpm build`): a worker imports dist/gateway-handler.js, found beside dist/index.js.
const distribution = '../dist/index.js';
const { WSGIContainer } = (await import(distribution)) as typeof import('../src/index.js');

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A stand-in for a thread pool: refuses functions, clones across the "thread" boundary. */
class CloningExecutor implements Executor {
  readonly kind = 'thread' as const;
  readonly multithread = true;
  readonly inline = new InlineExecutor();
  readonly loaded: string[] = [];
  load(modules: Parameters<Executor['load']>[0]) {
    this.loaded.push(...modules.map((module) => JSON.stringify(module)));
    return this.inline.load(modules);
  }
  run<Payload>(work: Work<Payload>) {
    if (typeof work.handler === 'function') throw new TypeError('a thread executor cannot run a function');
    return this.inline.run({
      ...work,
      payload: structuredClone(work.payload),
      onMessage: (message) => work.onMessage(structuredClone(message)),
    });
  }
  close() {
    return this.inline.close();
  }
}

test('the gateway handler and the application load by reference, and everything survives cloning', async () => {
  const executor = new CloningExecutor();
  const logger = testLogger();
  const app = fileURLToPath(new URL('./fixtures/hello-app.mjs', import.meta.url));
  const container = new WSGIContainer(`${app}#app`, { executor, logger, validate: true });
  await container.ready();
  expect(executor.loaded.some((line) => line.includes('gateway-handler.js'))).toBe(true);
  server = await serve(container);
  const response = await fetch(`${server.url}/threaded`);
  expect(await response.text()).toBe('hello from /threaded');
  expect(response.headers.get('content-length')).toBe('20');
  expect(logger.lines.filter((line) => line.level !== 'info')).toEqual([]);
});

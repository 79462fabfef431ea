// Serves `seen`, `parts` and `endless` of fixtures/thread-apps.mjs on one executor, inline or on a thread pool,
// for the half-close and refused-request tests. Runs from dist: worker threads import dist/gateway-handler.js.

import { fileURLToPath } from 'node:url';
import { setEnvironmentData } from 'node:worker_threads';
import { InlineExecutor, ThreadPoolExecutor } from '@tsgi/executors';
import { HTTPServer, type HTTPServerOptions, RuleRouter } from '@tsgi/http-server';
import { testLogger } from '../../../test-support/test-logger.js';
import { State, stateKey } from './fixtures/thread-apps.mjs';

const distribution = '../dist/index.js';
const { WSGIContainer } = (await import(distribution)) as typeof import('../src/index.js');

const apps = fileURLToPath(new URL('./fixtures/thread-apps.mjs', import.meta.url));
const state = new Int32Array(new SharedArrayBuffer(8 * 4));
setEnvironmentData(stateKey, state.buffer);

export type ExecutorKind = 'inline' | 'thread pool';
export const executorKinds: ExecutorKind[] = ['inline', 'thread pool'];

/**
 * `/parts` and `/endless` are those applications; every other target (`*` included) goes to `seen`, which
 * answers with what it saw.
 */
export async function serveEdgeApps(kind: ExecutorKind, options: HTTPServerOptions = {}) {
  const executor = kind === 'inline' ? new InlineExecutor() : new ThreadPoolExecutor({ maxWorkers: 2 });
  const logger = testLogger();
  const container = (name: string) => new WSGIContainer(`${apps}#${name}`, { executor, logger });
  const server = new HTTPServer(
    new RuleRouter([
      ['/parts', container('parts')],
      ['/endless', container('endless')],
      ['.*', container('seen')],
    ]),
    { logger, ...options },
  );
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    port,
    logger,
    /** How many times an application was called, and how many close()s ran, since the last `reset()`. */
    calls: () => Atomics.load(state, State.calls),
    closes: () => Atomics.load(state, State.closes),
    reset: () => state.fill(0),
    close: async () => {
      await server.close({ timeoutMs: 0 });
      await executor.close();
    },
  };
}

export type EdgeServer = Awaited<ReturnType<typeof serveEdgeApps>>;

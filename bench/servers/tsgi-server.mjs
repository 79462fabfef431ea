/**
 * The tsgi servers under test, by the mode given as the first argument:
 * - `inline`: the gateway app in a WSGIContainer on the InlineExecutor (the event-loop thread);
 * - `thread`: the same app, named by module reference, on a ThreadPoolExecutor with one worker per core;
 * - `native`: every workload as a native handler.
 * Each runs behind a RuleRouter whose first rule is the native `/ping` route (the responsiveness probe).
 */
import { availableParallelism } from 'node:os';
import { HTTPServer, RuleRouter } from '@tsgi/http-server';
import { app } from './gateway-app.mjs';
import { nativeRules, ping } from './native-handlers.mjs';
import { announceListening } from './workload.mjs';

/** The container's access lines are dropped, as Tornado's are without a logging handler; errors still show. */
const logger = {
  info() {},
  warn: (/** @type {string} */ message) => console.warn(message),
  error: (/** @type {string} */ message) => console.error(message),
};

const mode = process.argv[2];

/** @returns {Promise<import('@tsgi/http-server').RuleSpec[]>} */
async function rules() {
  if (mode === 'native') return nativeRules;
  // Imported only here, so the native server runs when just @tsgi/http-server is built.
  const { WSGIContainer } = await import('@tsgi/container');
  const { InlineExecutor, ThreadPoolExecutor } = await import('@tsgi/executors');
  switch (mode) {
    case 'inline':
      return [
        ['/ping', ping],
        ['.*', new WSGIContainer(app, { executor: new InlineExecutor(), logger, accessLog: false })],
      ];
    case 'thread': {
      const maxWorkers = Number(process.env.BENCH_THREAD_WORKERS) || availableParallelism();
      const workerNice = process.env.BENCH_WORKER_NICE ? Number(process.env.BENCH_WORKER_NICE) : undefined;
      const answerRingBytes = process.env.BENCH_ANSWER_RING_BYTES
        ? Number(process.env.BENCH_ANSWER_RING_BYTES)
        : undefined;
      const executor = new ThreadPoolExecutor({ maxWorkers, workerNice, answerRingBytes });
      const reference = { module: new URL('./gateway-app.mjs', import.meta.url).href, export: 'app' };
      return [
        ['/ping', ping],
        ['.*', new WSGIContainer(reference, { executor, logger, accessLog: false })],
      ];
    }
    default:
      throw new Error(`tsgi-server: unknown mode ${mode} (inline, thread or native)`);
  }
}

const server = new HTTPServer(new RuleRouter(await rules()), { logger });
const { port } = await server.listen(0, '127.0.0.1');
announceListening(port);
process.on('SIGTERM', () => {
  void server.close({ timeoutMs: 1000 }).finally(() => process.exit(0));
});

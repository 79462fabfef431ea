import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { HTTPServer, ListeningAddress } from './server.js';

/** `start()` options for the multi-process mode. */
export interface StartOptions {
  /** How many dead workers the primary replaces before giving up (Tornado's `max_restarts`). Default `100`. */
  maxRestarts?: number;
}

type Started =
  | { role: 'worker' }
  | { role: 'primary'; address: ListeningAddress; stop(timeoutMs: number): Promise<void> };

const CLOSE_MESSAGE = 'tsgi:http-server:close';

/**
 * The cluster side of `HTTPServer.start(processes)`. In a worker it only arranges for the primary's `close()` to
 * reach the worker's server. In the primary it forks the workers and supervises them: a worker that dies after it
 * was listening is replaced (the others keep serving); one that dies before listening is not, because a start-up
 * failure would otherwise loop.
 */
export async function startProcesses(
  server: HTTPServer,
  processes: number,
  options: { maxRestarts?: number } = {},
): Promise<Started> {
  if (cluster.isWorker) {
    process.on('message', (message: { type?: string; timeoutMs?: number } | null) => {
      if (message?.type !== CLOSE_MESSAGE) return;
      void server
        .close({ timeoutMs: message.timeoutMs ?? 10_000 })
        .finally(() => cluster.worker?.disconnect());
    });
    return { role: 'worker' };
  }
  const logger = server.options.logger;
  const maxRestarts = options.maxRestarts ?? 100;
  const count = processes <= 0 ? availableParallelism() : processes;
  const listened = new WeakSet<Worker>();
  let restarts = 0;
  let stopping = false;

  const address = new Promise<ListeningAddress>((resolve, reject) => {
    let first: ListeningAddress | undefined;
    let settledWorkers = 0;
    // Resolves once every worker of the first batch is listening (or died trying, as long as one listens).
    const settle = () => {
      settledWorkers++;
      if (settledWorkers === count) {
        if (first === undefined) reject(new Error('every worker exited before listening'));
        else resolve(first);
      }
    };
    cluster.on('listening', (worker, where) => {
      if (listened.has(worker)) return;
      listened.add(worker);
      first ??= { address: where.address ?? '', port: where.port ?? 0 };
      settle();
    });
    cluster.on('exit', (worker, code, signal) => {
      if (stopping) return;
      const how = signal ?? `code ${code}`;
      if (!listened.has(worker)) {
        logger.error(`worker ${worker.process.pid} exited (${how}) before listening; not replacing it`);
        settle();
        return;
      }
      if (restarts >= maxRestarts) {
        logger.error(
          `worker ${worker.process.pid} exited (${how}); too many restarts (${maxRestarts}), giving up`,
        );
        return;
      }
      restarts++;
      logger.warn(`worker ${worker.process.pid} exited (${how}); starting a new one`);
      cluster.fork();
    });
  });
  if (process.env.NODE_CLUSTER_SCHED_POLICY === undefined) {
    // Node's round-robin (its default on Linux) accepts in the primary and hands each connection to a worker over
    // IPC: one handed to a worker as it dies is never answered nor closed. With the kernel distributing
    // connections (Tornado's pre-fork model) a dead worker's connections are reset and the others serve the rest.
    cluster.schedulingPolicy = cluster.SCHED_NONE;
  }
  for (let index = 0; index < count; index++) cluster.fork();

  const stop = async (timeoutMs: number): Promise<void> => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter(
      (worker): worker is Worker => worker !== undefined,
    );
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) {
              resolve();
              return;
            }
            // A worker kept alive by other handles after its server closed is killed a little after the deadline.
            const kill = setTimeout(() => worker.process.kill('SIGKILL'), timeoutMs + 5000);
            worker.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            worker.send({ type: CLOSE_MESSAGE, timeoutMs });
          }),
      ),
    );
  };
  return { role: 'primary', address: await address, stop };
}

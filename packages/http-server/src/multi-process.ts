import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Logger } from '@tsgi/protocol';
import type { ListeningAddress } from './server.js';

/** `start()` options for the multi-process mode. */
export interface StartOptions {
  /** How many dead workers the primary replaces before giving up (Tornado's `max_restarts`). Default `100`. */
  maxRestarts?: number;
  /**
   * Fork worker processes even when `processes` is `1`, so the one worker can be replaced (`reloadProcesses()`,
   * `maxRequests`) while the primary keeps the listening socket. Default `false`.
   */
  supervise?: boolean;
  /**
   * A worker process is replaced after about this many requests: a new one starts listening, then the old one
   * drains and exits, so no request fails (gunicorn's `max_requests`). Default `0` (never).
   */
  maxRequests?: number;
  /** Adds up to this many requests to each worker's `maxRequests`, so workers are not all replaced at once. */
  maxRequestsJitter?: number;
  /** How long a worker replaced for `maxRequests` may take to drain. Default `30000`. */
  drainTimeoutMs?: number;
}

/** What the server's worker side needs from `startProcesses`. */
export interface WorkerRole {
  role: 'worker';
  /** Tells the primary this worker listens on `addresses` (after its last `listen()`). */
  announce(addresses: readonly ListeningAddress[]): void;
  /** Asks the primary for a replacement (the worker's request budget is spent); the primary then closes it. */
  retire(): void;
}

export interface PrimaryRole {
  role: 'primary';
  /** Where the first worker listens. */
  addresses: readonly ListeningAddress[];
  stop(timeoutMs: number): Promise<void>;
  reload(timeoutMs: number): Promise<void>;
}

/** What a worker posts to the primary, and the other way. */
const LISTENING = 'tsgi:http-server:listening';
const RETIRE = 'tsgi:http-server:retire';
const CLOSE = 'tsgi:http-server:close';

interface Message {
  type?: string;
  timeoutMs?: number;
  addresses?: ListeningAddress[];
}

interface CloseTarget {
  close(options: { timeoutMs: number }): Promise<void>;
}

/** A forked worker and when it started listening (or why it never did). */
interface Child {
  readonly worker: Worker;
  readonly listening: Promise<readonly ListeningAddress[]>;
}

/**
 * The cluster side of `HTTPServer.start(processes)`. In a worker it only arranges for the primary's `close()` to
 * reach the worker's server, and reports when it listens. In the primary it forks the workers and supervises
 * them: a worker that dies after it was listening is replaced (the others keep serving); one that dies before
 * listening is not, because a start-up failure would otherwise loop. A reload (and a worker's spent request
 * budget) starts new workers first and drains the old ones only once the new ones listen.
 */
export async function startProcesses(
  server: CloseTarget,
  logger: Logger,
  processes: number,
  options: StartOptions = {},
): Promise<WorkerRole | PrimaryRole> {
  if (cluster.isWorker) {
    process.on('message', (message: Message | null) => {
      if (message?.type !== CLOSE) return;
      void server
        .close({ timeoutMs: message.timeoutMs ?? 10_000 })
        .finally(() => cluster.worker?.disconnect());
    });
    let retiring = false;
    return {
      role: 'worker',
      announce: (addresses) => process.send?.({ type: LISTENING, addresses }),
      retire: () => {
        if (retiring) return;
        retiring = true;
        process.send?.({ type: RETIRE });
      },
    };
  }
  const maxRestarts = options.maxRestarts ?? 100;
  const count = processes <= 0 ? availableParallelism() : processes;
  /** The workers that take new connections. */
  const serving = new Set<Worker>();
  /** Workers told to drain: their exit is expected. */
  const retiring = new Set<Worker>();
  let restarts = 0;
  let stopping = false;

  if (process.env.NODE_CLUSTER_SCHED_POLICY === undefined) {
    // Node's round-robin (its default on Linux) accepts in the primary and hands each connection to a worker over
    // IPC: one handed to a worker as it dies is never answered nor closed. With the kernel distributing
    // connections (Tornado's pre-fork model) a dead worker's connections are reset and the others serve the rest,
    // and a worker that stops listening leaves its share of the backlog to the others.
    cluster.schedulingPolicy = cluster.SCHED_NONE;
  }

  const fork = (): Child => {
    const worker = cluster.fork();
    const listening = new Promise<readonly ListeningAddress[]>((resolve, reject) => {
      const onMessage = (message: Message | null) => {
        if (message?.type === LISTENING) {
          worker.off('exit', onExit);
          resolve(message.addresses ?? []);
        } else if (message?.type === RETIRE) {
          replace(worker, 'served its --max-requests');
        }
      };
      const onExit = (code: number | null, signal: string | null) =>
        reject(
          new Error(`worker ${worker.process.pid} exited (${signal ?? `code ${code}`}) before listening`),
        );
      worker.on('message', onMessage);
      worker.once('exit', onExit);
    });
    listening.catch(() => {});
    worker.once('exit', (code, signal) => {
      const wasServing = serving.delete(worker);
      // One that never listened is not replaced: its start-up failure was reported, and would only repeat.
      if (retiring.delete(worker) || stopping || !wasServing) return;
      const how = signal ?? `code ${code}`;
      if (restarts >= maxRestarts) {
        logger.error(
          `worker ${worker.process.pid} exited (${how}); too many restarts (${maxRestarts}), giving up`,
        );
        return;
      }
      restarts++;
      logger.warn(`worker ${worker.process.pid} exited (${how}); starting a new one`);
      void start();
    });
    return { worker, listening };
  };

  /** Forks a worker that serves once it listens; a start-up failure is logged, not retried. */
  const start = async (): Promise<readonly ListeningAddress[] | undefined> => {
    const child = fork();
    try {
      const addresses = await child.listening;
      if (stopping) retire(child.worker, 10_000);
      else serving.add(child.worker);
      return addresses;
    } catch (error) {
      logger.error(`${(error as Error).message}; not replacing it`);
      return undefined;
    }
  };

  const retire = (worker: Worker, timeoutMs: number): Promise<void> => {
    serving.delete(worker);
    retiring.add(worker);
    return new Promise<void>((resolve) => {
      if (worker.isDead()) {
        retiring.delete(worker);
        resolve();
        return;
      }
      // A worker kept alive by other handles after its server closed is killed a little after the deadline.
      const kill = setTimeout(() => worker.process.kill('SIGKILL'), timeoutMs + 5000);
      worker.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      worker.send({ type: CLOSE, timeoutMs });
    });
  };

  /** Starts a new worker for `worker`, and drains `worker` once the new one listens. */
  const replace = (worker: Worker, why: string) => {
    if (stopping || !serving.has(worker)) return;
    const child = fork();
    child.listening.then(
      () => {
        if (stopping) {
          void retire(child.worker, 10_000);
          return;
        }
        serving.add(child.worker);
        logger.info(`worker ${worker.process.pid} ${why}; replaced by ${child.worker.process.pid}`);
        void retire(worker, options.drainTimeoutMs ?? 30_000);
      },
      (error: Error) =>
        logger.error(
          `worker ${worker.process.pid} ${why}, but its replacement failed: ${error.message}; keeping it`,
        ),
    );
  };

  const firstBatch = await Promise.all(Array.from({ length: count }, () => start()));
  const addresses = firstBatch.find((listening) => listening !== undefined);
  if (addresses === undefined) throw new Error('every worker exited before listening');

  const stop = async (timeoutMs: number): Promise<void> => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter(
      (worker): worker is Worker => worker !== undefined,
    );
    await Promise.all(workers.map((worker) => retire(worker, timeoutMs)));
  };

  /**
   * Replaces every serving worker: as many new ones start (loading the application afresh); once all of them
   * listen, the old ones drain. If one fails to start, the new ones are closed and the old ones keep serving.
   */
  const reload = async (timeoutMs: number): Promise<void> => {
    if (stopping) throw new Error('the server is closing');
    const old = [...serving];
    const fresh = Array.from({ length: Math.max(old.length, 1) }, () => fork());
    const results = await Promise.allSettled(fresh.map((child) => child.listening));
    const failure = results.find((result) => result.status === 'rejected');
    if (failure !== undefined || stopping) {
      await Promise.all(fresh.map((child) => retire(child.worker, timeoutMs)));
      throw (failure as PromiseRejectedResult | undefined)?.reason ?? new Error('the server is closing');
    }
    for (const child of fresh) serving.add(child.worker);
    await Promise.all(old.map((worker) => retire(worker, timeoutMs)));
  };

  return { role: 'primary', addresses, stop, reload };
}

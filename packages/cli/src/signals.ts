/**
 * The signals `tsgi serve` answers, gunicorn's way: SIGTERM and SIGINT drain and exit 0 (a second one exits at
 * once, status 1); SIGHUP reloads the application. A worker process leaves SIGHUP to its primary (a terminal's
 * hang-up reaches the whole process group).
 *
 * Started through a package runner (`npx tsgi`, `npm exec`), the runner is the process a supervisor signals, and
 * it exits without passing SIGTERM on: the server then watches for its parent to go and drains the same way,
 * rather than staying behind as an orphan.
 */
import type { Serving } from './serve.js';

export interface SignalOptions {
  readonly log: (message: string) => void;
  /** Called after the server closed, just before the process exits. */
  readonly onExit?: () => void;
}

/** How often a server started by a package runner checks that the runner is still there. */
const PARENT_CHECK_MS = 500;

export function handleSignals(serving: Serving, worker: boolean, options: SignalOptions): void {
  let closing = false;
  const exit = (code: number) => {
    options.onExit?.();
    process.exit(code);
  };
  const shutdown = (why: string) => {
    if (closing) exit(1);
    closing = true;
    if (!worker) options.log(`${why}: shutting down, letting requests in flight finish`);
    serving.close().then(
      () => exit(0),
      (error: unknown) => {
        options.log(`shutdown failed: ${(error as Error)?.stack ?? String(error)}`);
        exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => {
    if (worker || closing) return;
    options.log('SIGHUP: reloading the application');
    serving.reload().then(
      () => options.log('reloaded: new requests go to the new version'),
      (error: unknown) =>
        options.log(
          `reload failed, the running version keeps serving: ${(error as Error)?.message ?? error}`,
        ),
    );
  });
  if (!worker && (process.env.npm_command !== undefined || process.env.npm_execpath !== undefined)) {
    const parent = process.ppid;
    const check = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(check);
      shutdown(`the package runner that started tsgi (pid ${parent}) exited`);
    }, PARENT_CHECK_MS);
    check.unref();
  }
}

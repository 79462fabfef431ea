import type { HTTPServer } from './server.js';

/** `closeOnSignals` options. */
export interface CloseOnSignalsOptions {
  /** Which signals start the shutdown. Default `['SIGTERM', 'SIGINT']`. */
  signals?: readonly NodeJS.Signals[];
  /** Passed to `server.close()`. Default `10000`. */
  timeoutMs?: number;
  /**
   * Exit the process (code 0) once closed. A second signal exits at once (code 1), unless it comes within
   * `repeatWindowMs` of the first: then it is the same interrupt delivered twice. Default `true`.
   */
  exit?: boolean;
  /**
   * A repeated signal this soon after the first is ignored. Ctrl-C in a terminal signals the whole foreground
   * process group, and npm and pnpm also forward the signal to the script they run, so a server started by
   * `pnpm start` gets every Ctrl-C twice within a millisecond or two. Default `500`.
   */
  repeatWindowMs?: number;
}

/**
 * Closes `server` gracefully when the process gets SIGTERM or SIGINT. Opt-in: the server never installs signal
 * handlers by itself. Returns a function that removes the handlers.
 */
export function closeOnSignals(
  server: Pick<HTTPServer, 'close'>,
  options: CloseOnSignalsOptions = {},
): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? true;
  const repeatWindowMs = options.repeatWindowMs ?? 500;
  let closingSince: number | undefined;
  const onSignal = () => {
    if (closingSince !== undefined) {
      if (performance.now() - closingSince < repeatWindowMs) return;
      process.exit(1);
    }
    closingSince = performance.now();
    void server.close({ timeoutMs: options.timeoutMs ?? 10_000 }).then(() => {
      if (exit) process.exit(0);
      else remove();
    });
  };
  const remove = () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
  for (const signal of signals) process.on(signal, onSignal);
  return remove;
}

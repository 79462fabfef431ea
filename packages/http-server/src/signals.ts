import type { HTTPServer } from './server.js';

/** `closeOnSignals` options. */
export interface CloseOnSignalsOptions {
  /** Which signals start the shutdown. Default `['SIGTERM', 'SIGINT']`. */
  signals?: readonly NodeJS.Signals[];
  /** Passed to `server.close()`. Default `10000`. */
  timeoutMs?: number;
  /** Exit the process (code 0) once closed; a second signal always exits at once (code 1). Default `true`. */
  exit?: boolean;
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
  let closing = false;
  const onSignal = () => {
    if (closing) {
      process.exit(1);
    }
    closing = true;
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

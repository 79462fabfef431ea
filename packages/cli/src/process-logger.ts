/** Where `tsgi serve` logs: stderr, each line tagged with the process id (as gunicorn does). */
import type { Logger } from '@tsgi/http-server';

/** Every level goes to stderr; access lines are written by the server's access log (see `serve.ts`). */
export function processLogger(): Logger {
  const write = (message: string) => {
    process.stderr.write(`[${process.pid}] ${message}\n`);
  };
  return { info: write, warn: write, error: write };
}

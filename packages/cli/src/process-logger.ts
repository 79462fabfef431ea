/** Where `tsgi serve` logs: stderr, each line tagged with the process id (as gunicorn does). */
import type { Logger } from '@tsgi/http-server';

/**
 * The container logs every request at `info` below 400, `warn` below 500 and `error` above, so without
 * `--access-log` dropping `info` keeps failed requests and errors in the log and leaves successes out.
 */
export function processLogger(options: { readonly accessLog: boolean }): Logger {
  const write = (message: string) => {
    process.stderr.write(`[${process.pid}] ${message}\n`);
  };
  return { info: options.accessLog ? write : () => undefined, warn: write, error: write };
}

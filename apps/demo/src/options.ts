/** The demo's command line: flags, each with an environment variable and a default. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

export interface DemoOptions {
  readonly port: number;
  readonly host: string;
  readonly executor: 'inline' | 'thread';
  readonly workers: number;
  readonly processes: number;
  readonly guestbookFile: string;
  /** Mount the Flask application under /flask/ (when python3-flask is installed). */
  readonly flask: boolean;
}

export const demoUsage = `Usage: node dist/main.js [options]

  --port N              port to listen on (env PORT; default 8888; 0 picks a free one)
  --host HOST           address to listen on (env HOST; default 127.0.0.1)
  --executor KIND       where the gateway application runs: thread or inline (env EXECUTOR; default thread)
  --workers N           worker threads for --executor thread (env WORKERS; default 4)
  --processes N         server processes sharing the port, 0 = one per CPU (env PROCESSES; default 1)
  --guestbook FILE      where guestbook entries are kept (env GUESTBOOK_FILE;
                        default <tmpdir>/tsgi-demo-guestbook.jsonl)
  --no-flask            do not load the Python interpreter for /flask/ (env FLASK=off)
  -h, --help            show this help
`;

/** A flag or environment variable with a value the demo cannot use. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function integer(name: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, not "${text}"`);
  }
  return Number(text);
}

/** Reads the flags, falling back to the environment, then to the defaults. `undefined` means `--help`. */
export function parseDemoOptions(
  argv: readonly string[],
  environment: NodeJS.ProcessEnv = process.env,
): DemoOptions | undefined {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return undefined;
  const executor = values.executor ?? environment.EXECUTOR ?? 'thread';
  if (executor !== 'inline' && executor !== 'thread') {
    throw new UsageError(`--executor must be "thread" or "inline", not "${executor}"`);
  }
  return {
    port: integer('--port', values.port ?? environment.PORT ?? '8888', 0, 65535),
    host: values.host ?? environment.HOST ?? '127.0.0.1',
    executor,
    workers: integer('--workers', values.workers ?? environment.WORKERS ?? '4', 1, 256),
    processes: integer('--processes', values.processes ?? environment.PROCESSES ?? '1', 0, 256),
    guestbookFile:
      values.guestbook ?? environment.GUESTBOOK_FILE ?? join(tmpdir(), 'tsgi-demo-guestbook.jsonl'),
    flask: !values['no-flask'] && environment.FLASK !== 'off',
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      executor: { type: 'string' },
      workers: { type: 'string' },
      processes: { type: 'string' },
      guestbook: { type: 'string' },
      'no-flask': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

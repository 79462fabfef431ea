/**
 * The tsgi demo: `node dist/main.js [--port 8888] [--host 127.0.0.1] [--executor thread|inline] [--workers 4]
 * [--processes 1] [--guestbook FILE]`. Prints where it listens; SIGTERM or SIGINT drain it gracefully.
 */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { closeOnSignals, HTTPServer } from '@tsgi/http-server';
import { createDemo, type Demo } from './demo-server.js';
import { demoUsage, parseDemoOptions, UsageError } from './options.js';

/** How long a shutdown lets requests in flight finish. */
const gracefulTimeoutMs = 10_000;

function readOptions() {
  try {
    const options = parseDemoOptions(process.argv.slice(2));
    if (options) return options;
    process.stdout.write(demoUsage);
    process.exit(0);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`tsgi demo: ${error.message}\n${demoUsage}`);
    process.exit(2);
  }
}

const options = readOptions();
// The guestbook's file reaches the application through the environment, which worker threads inherit.
process.env.GUESTBOOK_FILE = options.guestbookFile;

const processes = options.processes === 0 ? availableParallelism() : options.processes;
/** With several processes this one only supervises (node:cluster): the workers it forks run this file too. */
function supervisor(): Demo {
  const server = new HTTPServer(() => undefined);
  return { server, close: (timeoutMs) => server.close({ timeoutMs }) };
}
const log = (line: string) => console.log(`[${process.pid}] ${line}`);

/** Why the demo could not listen, in one line, for the errors a person can fix; `undefined` for the others. */
function listenProblem(error: unknown): string | undefined {
  const where = `${options.host}:${options.port}`;
  switch ((error as NodeJS.ErrnoException).code) {
    case 'EADDRINUSE':
      return `${where} is already in use (is another demo running?): stop it, or pick another port with --port 8889 (--port 0 takes any free one)`;
    case 'EACCES':
      return `${where} needs privileges to listen on: pick a port above 1023 with --port`;
    case 'EADDRNOTAVAIL':
      return `${options.host} is not an address of this machine: try --host 127.0.0.1`;
    default:
      return undefined;
  }
}

const demo = processes !== 1 && cluster.isPrimary ? supervisor() : createDemo(options);
demo.server.bind(options.port, options.host);
let listening: Awaited<ReturnType<HTTPServer['start']>>;
try {
  listening = await demo.server.start(processes);
} catch (error) {
  const problem = listenProblem(error);
  if (problem === undefined) throw error;
  process.stderr.write(`tsgi demo: ${problem}\n`);
  process.exit(1);
}
const { address, port } = listening;
closeOnSignals(
  {
    async close() {
      if (cluster.isPrimary)
        log(`Shutting down: finishing requests in flight (at most ${gracefulTimeoutMs / 1000} s)`);
      await demo.close(gracefulTimeoutMs);
      if (cluster.isPrimary) log('Stopped');
    },
  },
  { timeoutMs: gracefulTimeoutMs },
);

if (cluster.isPrimary) {
  const where = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  const executor =
    options.executor === 'thread'
      ? `thread, ${options.workers} worker${options.workers === 1 ? '' : 's'}`
      : 'inline';
  const several = processes === 1 ? '' : `, ${processes} processes`;
  log('tsgi demo');
  log(`Listening at: ${where} (executor: ${executor}${several})`);
  log(`Guestbook entries are kept in ${options.guestbookFile}`);
  log('Press Ctrl-C to stop');
} else {
  // The primary closes this worker's server and disconnects it; the threads must go too.
  process.once('disconnect', () => void demo.close(gracefulTimeoutMs));
}

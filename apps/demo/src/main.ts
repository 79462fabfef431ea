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
const demo = processes !== 1 && cluster.isPrimary ? supervisor() : createDemo(options);
demo.server.bind(options.port, options.host);
const { address, port } = await demo.server.start(processes);
closeOnSignals({ close: () => demo.close(gracefulTimeoutMs) }, { timeoutMs: gracefulTimeoutMs });

if (cluster.isPrimary) {
  const where = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  const executor =
    options.executor === 'thread'
      ? `thread, ${options.workers} worker${options.workers === 1 ? '' : 's'}`
      : 'inline';
  const several = processes === 1 ? '' : `, ${processes} processes`;
  console.log(`[${process.pid}] tsgi demo`);
  console.log(`[${process.pid}] Listening at: ${where} (executor: ${executor}${several})`);
  console.log(`[${process.pid}] Guestbook entries are kept in ${options.guestbookFile}`);
} else {
  // The primary closes this worker's server and disconnects it; the threads must go too.
  process.once('disconnect', () => void demo.close(gracefulTimeoutMs));
}

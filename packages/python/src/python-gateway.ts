/**
 * The gateway module every executor thread imports once (built as `dist/python-gateway.js`): its top-level
 * `await` loads this thread's Python interpreter and the application, so a thread pool's `load()` — which
 * `HTTPServer.listen()` awaits — loads every interpreter in parallel before the server listens. Its default
 * export is the gateway application the container calls for each request.
 *
 * The configuration comes from this module's URL (see `pythonApplication()`).
 */
import { isMainThread } from 'node:worker_threads';
import type { Environ, ResponseIterable, StartResponse } from '@tsgi/environ';
import type { PythonBridge } from './bridge.js';
import { configFromURL } from './config.js';
import { loadInterpreter } from './interpreter.js';

const config = configFromURL(import.meta.url);

let bridge: PythonBridge | null = await loadInterpreter(config, interpreterDied);
let restarting: Error | null = null;

/**
 * The interpreter is gone (a Pyodide fatal error, or `os._exit()`). On a worker thread the thread exits and
 * the pool replaces it with a fresh one; on the event loop a new interpreter loads in the background, and
 * requests fail until it is ready.
 */
function interpreterDied(error: unknown): void {
  const reason = error instanceof Error ? error.message : String(error);
  bridge = null;
  if (!isMainThread) {
    process.stderr.write(`tsgi: the Python interpreter died (${reason}); this worker thread exits\n`);
    process.exit(70);
  }
  process.stderr.write(`tsgi: the Python interpreter died (${reason}); loading a new one\n`);
  restarting = new Error(`The Python interpreter died (${reason}) and is being restarted`);
  loadInterpreter(config, interpreterDied).then(
    (fresh) => {
      bridge = fresh;
      restarting = null;
    },
    (loadError: unknown) => {
      restarting = new Error(`The Python interpreter died and did not load again: ${String(loadError)}`);
    },
  );
}

/** The gateway application: runs the Python application for one request on this thread's interpreter. */
export default function pythonGateway(environ: Environ, startResponse: StartResponse): ResponseIterable {
  if (bridge === null) throw restarting ?? new Error('The Python interpreter is not loaded');
  return bridge.application(environ, startResponse);
}

/**
 * The demo's wiring: one `RuleRouter` with native async routes (the shared stylesheet and icon, the live clock),
 * a prefix-mounted container (`/legacy`), a Python Flask application (`/flask`) and the site's container, on one
 * `HTTPServer`.
 */
import { WSGIContainer } from '@tsgi/container';
import { type Executor, InlineExecutor, ThreadPoolExecutor } from '@tsgi/executors';
import { HTTPServer, type HTTPServerRequest, Rule, RuleRouter } from '@tsgi/http-server';
import { staticAssets } from './assets/static-assets.js';
import { flaskMount } from './flask-mount.js';
import { legacyApp } from './legacy/app.js';
import { LiveClock } from './live/live-clock.js';
import type { DemoOptions } from './options.js';
import { app } from './site/app.js';

export interface Demo {
  readonly server: HTTPServer;
  /** Ends the live streams, drains requests in flight, then releases the worker threads. */
  close(timeoutMs: number): Promise<void>;
}

export function createDemo(options: DemoOptions): Demo {
  // A thread cannot receive a function, so the pool is given the site's own build entry by module reference;
  // the inline executor runs the very same function on the event loop.
  const executor: Executor =
    options.executor === 'thread'
      ? new ThreadPoolExecutor({ maxWorkers: options.workers })
      : new InlineExecutor();
  const shared = { serverSoftware: 'tsgi-demo', multiprocess: options.processes !== 1 };
  const site = new WSGIContainer(
    options.executor === 'thread' ? { module: new URL('./app.js', import.meta.url), export: 'app' } : app,
    { executor, ...shared },
  );
  // Cheap pages need no thread: the legacy application is a plain function on the event loop.
  const legacyExecutor = new InlineExecutor();
  const legacy = new WSGIContainer(legacyApp, { executor: legacyExecutor, ...shared });
  const live = new LiveClock();
  const assets = staticAssets();
  // Real Python: Flask on its own worker thread and interpreter (loaded before the server listens).
  const flask = options.flask ? flaskMount(shared.serverSoftware) : undefined;
  if (flask?.unavailable) console.warn(`tsgi demo: /flask/ is not served: ${flask.unavailable}`);
  const router = new RuleRouter([
    ['/static/.*', assets],
    ['/favicon\\.ico', assets],
    ['/live', live.page],
    ['/live/events', live.events],
    new Rule('/legacy(?:/.*)?', legacy, { mount: '/legacy' }),
    ...(flask ? [new Rule('/flask(?:/.*)?', flask.target, { mount: '/flask' })] : []),
    ['.*', site],
  ]);
  const server = new HTTPServer({
    handleRequest(request: HTTPServerRequest) {
      live.countRequest();
      return router.handleRequest(request);
    },
    ready: () => router.ready(),
  });
  return {
    server,
    async close(timeoutMs) {
      live.close();
      await server.close({ timeoutMs });
      await Promise.all([executor.close(), legacyExecutor.close(), flask?.close()]);
    },
  };
}

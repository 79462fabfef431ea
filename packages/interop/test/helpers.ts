import { HTTPServer, type HTTPServerOptions, type RequestHandler } from '@tsgi/http-server';
import { testLogger } from '../../../test-support/test-logger.js';

/** Serves `handler` on 127.0.0.1 port 0 with access lines off. */
export async function serve(handler: RequestHandler, options: HTTPServerOptions = {}) {
  const server = new HTTPServer(handler, { accessLog: false, logger: testLogger(), ...options });
  const { port } = await server.listen(0, '127.0.0.1');
  return { url: `http://127.0.0.1:${port}`, port, close: () => server.close({ timeoutMs: 1000 }) };
}

/** Resolves after `predicate` holds (polled), or rejects after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

import { HTTPServer, type HTTPServerOptions, type RequestHandler } from '@tsgi/http-server';

/** A logger that keeps its lines, so a test can assert on what was logged. */
export function recordingLogger() {
  const lines: string[] = [];
  return {
    lines,
    info: (message: string) => void lines.push(`info: ${message}`),
    warn: (message: string) => void lines.push(`warn: ${message}`),
    error: (message: string) => void lines.push(`error: ${message}`),
    text: () => lines.join('\n'),
  };
}

/** Serves `handler` on 127.0.0.1 port 0 with access lines off. */
export async function serve(handler: RequestHandler, options: HTTPServerOptions = {}) {
  const server = new HTTPServer(handler, { accessLog: false, logger: recordingLogger(), ...options });
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

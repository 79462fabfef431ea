// Serves a target on @tsgi/http-server over loopback, optionally mounted under a prefix (SCRIPT_NAME).
import { HTTPServer, type HTTPServerRequest, Rule, RuleRouter } from '@tsgi/http-server';
import type { ContainerRequest } from '../src/index.js';

export interface Target {
  handleRequest(request: ContainerRequest): void | Promise<void>;
  ready?(): Promise<void>;
}

export interface TestServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const quiet = { info() {}, warn() {}, error() {} };

export async function serve(
  target: Target,
  mount?: string,
  logger: { info(text: string): void; warn(text: string): void; error(text: string): void } = quiet,
): Promise<TestServer> {
  const handler = {
    handleRequest: (request: HTTPServerRequest): void | Promise<void> => target.handleRequest(request),
    ready: () => target.ready?.() ?? Promise.resolve(),
  };
  const server = new HTTPServer(
    mount === undefined ? handler : new RuleRouter([new Rule(`${mount}(/.*)?`, handler, { mount })]),
    { logger },
  );
  const { port } = await server.listen(0, '127.0.0.1');
  return { url: `http://127.0.0.1:${port}`, port, close: () => server.close({ timeoutMs: 0 }) };
}

import { createHash } from 'node:crypto';
import { buildEnviron, EnvironError } from '@tsgi/environ';
import { HTTPServer, type HTTPServerOptions, type HTTPServerRequest } from '@tsgi/http-server';
import { testLogger } from '../../../../test-support/test-logger.js';

/** What the gateway-like target answers: the environ's string values and a digest of the body it read. */
export interface EnvironReport {
  environ: Record<string, string>;
  bodyLength: number;
  bodySha256: string;
}

/**
 * A target that behaves like a gateway container without being one: it reads the whole body, builds the PEP 3333
 * environ with `@tsgi/environ` exactly as `WSGIContainer` does, and answers with the environ as JSON. An
 * `EnvironError` is answered with its status, as the container does.
 */
export async function gatewayTarget(request: HTTPServerRequest): Promise<void> {
  const body = await request.readBody();
  let environ: Record<string, unknown>;
  try {
    environ = buildEnviron(request) as unknown as Record<string, unknown>;
  } catch (error) {
    if (error instanceof EnvironError) {
      await request.connection.respond(error.status, `${error.message}\n`, ['Connection', 'close']);
      return;
    }
    throw error;
  }
  const strings: Record<string, string> = {};
  for (const [key, value] of Object.entries(environ)) if (typeof value === 'string') strings[key] = value;
  const report: EnvironReport = {
    environ: strings,
    bodyLength: body.length,
    bodySha256: createHash('sha256').update(body).digest('hex'),
  };
  await request.connection.respond(200, JSON.stringify(report), ['Content-Type', 'application/json']);
}

/** Starts an `HTTPServer` on 127.0.0.1:0 with a recording logger. */
export async function serveOnLoopback(
  target: ConstructorParameters<typeof HTTPServer>[0],
  options: HTTPServerOptions = {},
) {
  const logger = testLogger();
  const server = new HTTPServer(target, { logger, ...options });
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port, logger, close: () => server.close({ timeoutMs: 1000 }) };
}

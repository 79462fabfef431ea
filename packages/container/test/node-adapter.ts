// Test-only: serves a container on node:http until @tsgi/http-server lands. Satisfies ContainerRequest and
// GatewayConnection with the least code that keeps their contracts (backpressure, short-body close, signal).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ContainerRequest, GatewayConnection } from '../src/index.js';

export interface Target {
  handleRequest(request: ContainerRequest): unknown;
}

export interface TestServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

class NodeConnection implements GatewayConnection {
  #controller: AbortController | undefined;
  #expected = -1;
  #written = 0;

  constructor(readonly response: ServerResponse) {
    response.on('close', () => {
      if (!response.writableFinished) this.#controller?.abort();
    });
  }

  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    if (this.response.destroyed && !this.response.writableFinished) this.#controller.abort();
    return this.#controller.signal;
  }

  writeHeaders(startLine: { code: number; reason: string }, headers: readonly string[], chunk?: Uint8Array) {
    for (let index = 0; index < headers.length; index += 2) {
      if (headers[index]!.toLowerCase() === 'content-length') this.#expected = Number(headers[index + 1]);
    }
    this.response.writeHead(startLine.code, startLine.reason, headers as string[]);
    return chunk === undefined ? Promise.resolve() : this.write(chunk);
  }

  write(chunk: Uint8Array): Promise<void> {
    const response = this.response;
    if (response.destroyed) return Promise.reject(new Error('client gone'));
    this.#written += chunk.length;
    if (response.write(chunk)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onDrain = () => {
        response.off('close', onClose);
        resolve();
      };
      const onClose = () => {
        response.off('drain', onDrain);
        reject(new Error('client gone'));
      };
      response.once('drain', onDrain);
      response.once('close', onClose);
    });
  }

  finish(): void {
    const short =
      this.#expected >= 0 && this.#written < this.#expected && this.response.req.method !== 'HEAD';
    const socket = this.response.socket;
    this.response.end(() => {
      if (short) socket?.destroy();
    });
  }

  abort(): void {
    this.response.destroy();
  }
}

async function toRequest(message: IncomingMessage, response: ServerResponse): Promise<ContainerRequest> {
  const parts: Buffer[] = [];
  for await (const part of message) parts.push(part as Buffer);
  const socket = message.socket;
  return {
    method: message.method!,
    uri: message.url!,
    version: `HTTP/${message.httpVersion}`,
    rawHeaders: message.rawHeaders,
    body: Buffer.concat(parts),
    remoteIp: socket.remoteAddress ?? '',
    remotePort: socket.remotePort,
    serverIp: socket.localAddress,
    serverPort: socket.localPort,
    protocol: 'http',
    scriptName: undefined,
    connection: new NodeConnection(response),
  };
}

export async function serve(target: Target, scriptName?: string): Promise<TestServer> {
  const server = createServer(async (message, response) => {
    const request = await toRequest(message, response);
    await target.handleRequest(scriptName === undefined ? request : { ...request, scriptName });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

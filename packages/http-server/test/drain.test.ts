/**
 * The drain when request bytes are still unread in the kernel: the client wrote its request, and `close()` runs in
 * the same tick, before the server's event loop has read it (what a busy event loop or a signal arriving at the
 * wrong moment produces). Node's own `server.close()` destroys such connections, resetting the request.
 */
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { serve, statusOf } from './helpers.js';

interface RawConnection {
  readonly socket: Socket;
  /** Everything received so far, as latin-1. */
  data(): string;
  /** Resolves once the server closed the connection: how (a FIN, or an RST seen as ECONNRESET). */
  readonly ended: Promise<{ reset: boolean }>;
}

function open(port: number): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    let reset = false;
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
    });
    socket.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ECONNRESET') reset = true;
    });
    const ended = new Promise<{ reset: boolean }>((done) => socket.on('close', () => done({ reset })));
    socket.once('connect', () => resolve({ socket, data: () => data, ended }));
    socket.once('error', reject);
  });
}

const request = (path: string) => `GET ${path} HTTP/1.1\r\nHost: drain.test\r\n\r\n`;

async function responseOn(connection: RawConnection, count = 1): Promise<void> {
  while ((connection.data().match(/\r\n\r\nok/g) ?? []).length < count) {
    await new Promise((resolve) => connection.socket.once('data', resolve));
  }
}

describe('close() with requests unread in the kernel', () => {
  it('answers a request sent on an idle keep-alive connection just before close(), with Connection: close', async () => {
    const { server, port } = await serve((incoming) => incoming.connection.respond(200, 'ok'));
    const connections = await Promise.all(Array.from({ length: 20 }, () => open(port)));
    for (const connection of connections) connection.socket.write(request('/warm'));
    await Promise.all(connections.map((connection) => responseOn(connection)));
    // Each connection is idle now; the next request reaches the kernel, and close() begins before node reads it.
    for (const connection of connections) connection.socket.write(request('/unread'));
    const closing = server.close({ timeoutMs: 10_000 });
    const ends = await Promise.all(connections.map((connection) => connection.ended));
    await closing;
    for (const [index, connection] of connections.entries()) {
      const second = connection.data().split(/(?=HTTP\/1\.1 )/)[1] ?? '';
      expect(statusOf(second), `connection ${index}`).toBe(200);
      expect(second).toMatch(/\r\nConnection: close\r\n/i);
      expect(ends[index]!.reset).toBe(false);
    }
  });

  it('answers requests on connections still waiting to be accepted, and closes the listener after', async () => {
    let answered = 0;
    const { server, port } = await serve((incoming) => {
      answered++;
      return incoming.connection.respond(200, 'ok');
    });
    // The kernel completes these handshakes without the server accepting them yet.
    const connections = await Promise.all(Array.from({ length: 30 }, () => open(port)));
    for (const connection of connections) connection.socket.write(request('/fresh'));
    const closing = server.close({ timeoutMs: 10_000 });
    const ends = await Promise.all(connections.map((connection) => connection.ended));
    await closing;
    expect(answered).toBe(30);
    for (const [index, connection] of connections.entries()) {
      expect(statusOf(connection.data()), `connection ${index}`).toBe(200);
      expect(ends[index]!.reset).toBe(false);
    }
    await expect(open(port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('closes a connection with nothing sent with a FIN, not a reset, and reads what arrives after it', async () => {
    const { server, port } = await serve((incoming) => incoming.connection.respond(200, 'ok'));
    const idle = await open(port);
    idle.socket.write(request('/once'));
    await responseOn(idle);
    const closing = server.close({ timeoutMs: 10_000 });
    // The server's FIN arrives as 'end'. A request the client sends now (it crossed the FIN) cannot be answered,
    // but is read, not met with a reset; the client's own FIN completes the drain.
    await new Promise((resolve) => idle.socket.once('end', resolve));
    idle.socket.end(request('/crossed'));
    expect(await idle.ended).toEqual({ reset: false });
    await closing;
  });
});

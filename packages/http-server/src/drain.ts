/**
 * The graceful drain behind `HTTPServer.close()`: every request a client already sent on an accepted connection
 * is answered, and only connections with nothing sent are closed.
 *
 * Node's own `server.close()` (since v19) calls `closeIdleConnections()`, which destroys every connection whose
 * parser is between messages. A connection whose request bytes are still unread in the kernel (the event loop
 * was busy: a blocking inline application, a loaded machine) looks exactly like that, and destroying a socket with
 * unread bytes sends an RST: the request the client already sent is reset. So the drain here:
 *
 * 1. marks the server closing: every response written from now on carries `Connection: close`, and requests that
 *    arrive on open connections are served (never refused), so a reload fails no request;
 * 2. keeps accepting while connections the kernel already completed wait in the backlog (closing the listener
 *    would reset them; libuv accepts one per turn of the event loop), that is until a turn accepts none (or half
 *    of `timeoutMs` passed), then stops listening (`net.Server.close`, without node's idle reaping);
 * 3. closes an idle connection only after two more turns, so whatever was in the kernel has been read (and has
 *    made the connection busy), and closes it with a FIN (`end()`), never an RST; whatever the client still sends
 *    after our FIN is read and discarded until it closes its side (nginx's lingering close);
 * 4. after `timeoutMs`, destroys what is left.
 *
 * A keep-alive request the client sends at the very moment its idle connection is closed meets our FIN: HTTP
 * allows (RFC 9112 §9.3.1) and clients do retry an idempotent request on a new connection then; every other
 * request is answered.
 */

import type { Server } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

/** Node's list of a server's connections (`server[kConnections]`), whose `idle()` names parsers between messages. */
interface ConnectionsList {
  all(): { socket: Socket }[];
  idle(): { socket: Socket }[];
}

type HTTPSocket = Socket & { _httpMessage?: { finished: boolean } | null };

/** How long a connection we closed may keep sending before it is destroyed (nginx's `lingering_timeout`). */
const LINGER_MS = 5000;

/** Sockets the drain closed: a request parsed on one of them after our FIN cannot be answered. */
const lingering = new WeakSet<Socket>();

function internalSymbol(server: Server, description: string): symbol | undefined {
  return Object.getOwnPropertySymbols(server).find((symbol) => symbol.description === description);
}

function connectionsOf(server: Server): ConnectionsList | undefined {
  const symbol = internalSymbol(server, 'http.server.connections');
  return symbol === undefined ? undefined : (server as unknown as Record<symbol, ConnectionsList>)[symbol];
}

/** Resolves after the event loop has polled for I/O `turns` times (a check phase follows each poll phase). */
export function afterPolls(turns: number): Promise<void> {
  return new Promise((resolve) => {
    const next = (left: number) => (left === 0 ? resolve() : setImmediate(next, left - 1));
    setImmediate(next, turns - 1);
  });
}

/** True when a request parsed on `socket` arrived after the drain closed it: drop it, nothing can answer. */
export function closedByDrain(socket: Socket): boolean {
  return lingering.has(socket);
}

/** Closes `socket` with a FIN and reads (discarding) until the peer closes too, or `LINGER_MS` passes. */
function closeGracefully(socket: Socket): void {
  if (lingering.has(socket) || socket.destroyed) return;
  lingering.add(socket);
  socket.end();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/** The drain of one `http.Server`; `reapIdle()` may be called any number of times (it coalesces). */
export class ConnectionDrain {
  private readonly server: Server;
  private reapScheduled = false;

  constructor(server: Server) {
    this.server = server;
  }

  /**
   * Drains `server` (already marked closing by the caller). Resolves once every connection closed. At `timeoutMs`,
   * `onDeadline` runs and what is left is destroyed once the promise it returns settles.
   */
  async run(
    timeoutMs: number,
    extraListeners: readonly NetServer[],
    onDeadline: () => void | Promise<void>,
  ): Promise<void> {
    const server = this.server;
    const listeners = [server, ...extraListeners];
    const closed = Promise.all(
      listeners.map((listener) => new Promise<void>((resolve) => listener.once('close', () => resolve()))),
    );
    const deadline = setTimeout(() => {
      void Promise.resolve(onDeadline()).then(() => server.closeAllConnections());
    }, timeoutMs);
    try {
      await this.acceptBacklog(timeoutMs / 2);
      // net.Server's close, not http.Server's: the latter destroys idle-looking connections first.
      for (const listener of listeners) NetServer.prototype.close.call(listener);
      this.reapIdle();
      await closed;
    } finally {
      clearTimeout(deadline);
      const interval = internalSymbol(server, 'http.server.connectionsCheckingInterval');
      if (interval !== undefined)
        clearInterval((server as unknown as Record<symbol, NodeJS.Timeout>)[interval]);
    }
  }

  /** Resolves after a turn of the event loop in which no connection was accepted (or after `limitMs`). */
  private async acceptBacklog(limitMs: number): Promise<void> {
    let accepted = 0;
    const count = () => {
      accepted++;
    };
    this.server.on('connection', count);
    const until = performance.now() + limitMs;
    try {
      do {
        accepted = 0;
        await afterPolls(2);
      } while (accepted > 0 && performance.now() < until);
    } finally {
      this.server.off('connection', count);
    }
  }

  /** Closes the connections that are idle after two more polls (called again whenever a response finishes). */
  reapIdle(): void {
    if (this.reapScheduled) return;
    this.reapScheduled = true;
    void afterPolls(2).then(() => {
      this.reapScheduled = false;
      const connections = connectionsOf(this.server);
      if (connections === undefined) {
        // A node without the list: close what we cannot see being busy, as node itself would.
        this.server.closeIdleConnections();
        return;
      }
      for (const { socket } of connections.idle()) {
        const message = (socket as HTTPSocket)._httpMessage;
        if (message && !message.finished) continue;
        closeGracefully(socket);
      }
    });
  }
}

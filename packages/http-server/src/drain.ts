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
 * 3. closes a connection only once it has been idle for a moment (`IDLE_GRACE_MS`, at most a quarter of
 *    `timeoutMs`), and at least two more turns after it was seen idle, so whatever was in the kernel has been read
 *    (and has made the connection busy); a keep-alive client in the middle of a run of requests sends its next one
 *    meanwhile and gets it answered with `Connection: close` instead of meeting our FIN. The close is a FIN
 *    (`end()`), never an RST; whatever the client still sends after it is read and discarded until it closes its
 *    side (nginx's lingering close);
 * 4. after `timeoutMs`, destroys what is left.
 *
 * A keep-alive request the client sends after a pause of the idle grace, at the very moment its connection is
 * closed, meets our FIN: HTTP allows (RFC 9112 §9.3.1) and clients do retry an idempotent request on a new
 * connection then; every other request is answered.
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

/**
 * How long a connection must stay idle during a drain before it is closed: longer than the pause between two
 * requests of a busy keep-alive client (even on a loaded machine), short enough not to hold a shutdown.
 */
const IDLE_GRACE_MS = 1000;

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
  private idleGraceMs = IDLE_GRACE_MS;
  /** Idle connections waiting out the grace, with when they were first seen idle. */
  private readonly idleSince = new Map<Socket, number>();
  private graceTimer: NodeJS.Timeout | undefined;

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
    this.idleGraceMs = Math.min(IDLE_GRACE_MS, timeoutMs / 4);
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
      clearTimeout(this.graceTimer);
      this.idleSince.clear();
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

  /**
   * Closes the connections that are still idle two more polls from now and have been idle for the grace (called
   * again whenever a response finishes, and by its own timer while connections wait out the grace).
   */
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
      const now = performance.now();
      const idle = new Set<Socket>();
      for (const { socket } of connections.idle()) {
        const message = (socket as HTTPSocket)._httpMessage;
        if ((message && !message.finished) || socket.destroyed || lingering.has(socket)) continue;
        idle.add(socket);
        const since = this.idleSince.get(socket) ?? now;
        if (now - since >= this.idleGraceMs) {
          this.idleSince.delete(socket);
          closeGracefully(socket);
        } else {
          this.idleSince.set(socket, since);
        }
      }
      // A connection that took a request meanwhile starts its grace afresh when it is idle again.
      for (const socket of this.idleSince.keys()) if (!idle.has(socket)) this.idleSince.delete(socket);
      if (this.idleSince.size > 0 && this.graceTimer === undefined) {
        let first = Number.POSITIVE_INFINITY;
        for (const since of this.idleSince.values()) first = Math.min(first, since);
        this.graceTimer = setTimeout(
          () => {
            this.graceTimer = undefined;
            this.reapIdle();
          },
          Math.max(1, first + this.idleGraceMs - now),
        );
      }
    });
  }
}

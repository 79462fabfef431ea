import cluster from 'node:cluster';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { accessLog, describeError, errorPageText, reasonPhrase } from '@tsgi/protocol';
import { readGzipBody } from './body.js';
import type { HTTPConnection } from './connection.js';
import { ConnectionDrain, closedByDrain } from './drain.js';
import { HTTPInputError, StreamClosedError } from './errors.js';
import { type PrimaryRole, type StartOptions, startProcesses } from './multi-process.js';
import { type HTTPServerOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { HTTPServerRequest } from './request.js';
import type { ServerState } from './server-state.js';
import { TrustedDownstream } from './trusted-downstream.js';
import { claimSocketPath, setSocketMode } from './unix-socket.js';

/** A native request handler: it answers through `request.connection`. */
export type RequestCallback = (request: HTTPServerRequest) => unknown;

/**
 * Anything with `handleRequest` (a `WSGIContainer`, a `RuleRouter`); `ready()` is awaited by `listen()`, and
 * `close()` is called by `HTTPServer.close()` with the same deadline (a container closes its executor).
 */
export interface RequestHandler {
  handleRequest(request: HTTPServerRequest): unknown;
  ready?(): Promise<void>;
  close?(options: CloseOptions): Promise<void> | void;
}

/** Where the server listens: an IP address and port, or a Unix socket path (then `port` is 0). */
export interface ListeningAddress {
  address: string;
  port: number;
}

/** `close()` options. */
export interface CloseOptions {
  /** How long in-flight requests may take to finish before their connections are closed. Default `10000`. */
  timeoutMs?: number;
}

/** How long, past the close deadline, the target's `close()` may take to answer its stuck requests. */
const targetGraceMs = 1000;

function settledWithin(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void promise.finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Node's response with a link back to its connection, so a late parse error can answer through it. */
class GatewayServerResponse extends ServerResponse {
  gatewayConnection: HTTPConnection | undefined = undefined;
}

type SocketWithMessage = Socket & { _httpMessage?: GatewayServerResponse | null; destroySoon(): void };

/** Sockets whose parse error was answered (or will be, after the response in flight). */
const refusedSockets = new WeakSet<Socket>();

/** A bare error response for a request that never reached the application, then close. */
function writeRefusal(socket: Socket, status: number): void {
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
    );
  }
  (socket as SocketWithMessage).destroySoon();
}

/** A request target as a refusal's log line shows it: a refused one may be as long as `maxHeaderSize`. */
function loggedTarget(target: string): string {
  return target.length > 256 ? `${target.slice(0, 256)}… (${target.length} bytes)` : target;
}

const CLIENT_ERROR_STATUS: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
};

/**
 * Tornado's `HTTPServer` on `node:http` (or `node:https` with the `tls` option): parses requests with node's
 * llhttp, refuses what HTTP/1.1 forbids, and hands every `HTTPServerRequest` to the callback.
 *
 * ```ts
 * const server = new HTTPServer((request) => request.connection.respond(200, 'Hello\n'));
 * const { port } = await server.listen(8888);
 * ```
 */
export class HTTPServer {
  /** The node server underneath (`http.Server`, or `https.Server` with `tls`). */
  readonly httpServer: Server;
  readonly options: ResolvedOptions;
  private readonly callback: RequestCallback | RequestHandler;
  private readonly state: ServerState;
  /** Where the server listens once started (in a multi-process primary: where its first worker listens). */
  addresses: readonly ListeningAddress[] = [];
  private readonly bound: { port: number | string; host: string | undefined }[] = [];
  /** Listeners for the bound addresses after the first: they hand their connections to `httpServer`. */
  private readonly extraListeners: NetServer[] = [];
  private closePromise: Promise<void> | undefined;
  private readonly drain: ConnectionDrain;
  private processes: PrimaryRole | undefined;
  /** Requests left before this worker process asks to be replaced (`maxRequests`); 0: no limit. */
  private requestBudget = 0;
  private onBudgetSpent: (() => void) | undefined;

  constructor(callback: RequestCallback | RequestHandler, options?: HTTPServerOptions) {
    if (typeof callback !== 'function' && typeof callback?.handleRequest !== 'function') {
      throw new TypeError('HTTPServer needs a function or an object with handleRequest(request)');
    }
    this.callback = callback;
    const resolved = resolveOptions(options);
    this.options = resolved;
    this.state = {
      options: resolved,
      trusted: resolved.xheaders ? new TrustedDownstream(resolved.trustedDownstream) : undefined,
      accessLog: accessLog(resolved.accessLog, resolved.logger),
      closing: false,
      onIdleWhileClosing: () => this.drain.reapIdle(),
    };
    const headersTimeout =
      resolved.bodyTimeout > 0
        ? Math.min(resolved.headersTimeout, resolved.bodyTimeout)
        : resolved.headersTimeout;
    const shortestTimeout = Math.min(
      ...[headersTimeout, resolved.bodyTimeout].filter((timeout) => timeout > 0),
    );
    const nodeOptions = {
      maxHeaderSize: resolved.maxHeaderSize,
      // Checked by the request itself, from its header scan: node's check builds `req.headers` for every request
      // and answers without telling anyone.
      requireHostHeader: false,
      headersTimeout,
      requestTimeout: resolved.bodyTimeout,
      // Node checks timeouts on an interval (30 s by default): check often enough for short timeouts to hold.
      connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(shortestTimeout / 4))),
      highWaterMark: resolved.chunkSize,
      ServerResponse: GatewayServerResponse as typeof ServerResponse,
    };
    const listener = (request: IncomingMessage, response: ServerResponse) =>
      this.dispatch(request, response as GatewayServerResponse, false);
    this.httpServer =
      resolved.tls === undefined
        ? (createHttpServer(nodeOptions, listener) as Server)
        : (createHttpsServer({ ...resolved.tls, ...nodeOptions }, listener) as Server);
    this.drain = new ConnectionDrain(this.httpServer);
    this.httpServer.keepAliveTimeout = resolved.idleConnectionTimeout;
    // Node silently drops header lines past `maxHeadersCount` (2000 by default): a second Host or
    // Transfer-Encoding hidden behind filler lines would escape the request's checks. So node collects one field
    // more than `limitRequestFields`, and a request that has it is refused (431) whatever was dropped; with no
    // limit, node collects every line and `maxHeaderSize` bounds the block.
    this.httpServer.maxHeadersCount = resolved.limitRequestFields > 0 ? resolved.limitRequestFields + 1 : 0;
    // A client that half-closes after its request (`shutdown(SHUT_WR)`: `nc -N`, HTTP/1.0 scripts, health checks)
    // still gets its answer. Without this (undocumented, long-standing) switch, node ends the socket on the
    // client's FIN and aborts the requests in flight, so a response that is not written synchronously is lost and
    // a thread pool's work is cancelled. With it, node answers what it read, then closes; a client that really
    // went away still shows up as a closed or reset socket on the first write. Not over TLS: node's TLS sockets
    // close on the peer's close (TLS 1.2 requires it), and a TLS server that kept half-open sockets would hold
    // every handshake a client abandons until `handshakeTimeout`.
    if (resolved.tls === undefined) {
      (this.httpServer as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
    }
    this.httpServer.on('checkContinue', (request: IncomingMessage, response: ServerResponse) =>
      this.dispatch(request, response as GatewayServerResponse, true),
    );
    this.httpServer.on('clientError', (error: Error & { code?: string }, socket: Socket) =>
      this.onClientError(error, socket),
    );
    // Node hands CONNECT to a 'connect' listener and drops the socket without one: refuse it politely instead.
    // RFC 9110 §15.5.6 requires `Allow` on a 405: the tunnel target (`host:port`) supports no method here, and an
    // empty `Allow` says exactly that (§10.2.1).
    this.httpServer.on('connect', (request: IncomingMessage, socket: Socket) => {
      resolved.logger.warn(
        `405 CONNECT ${loggedTarget(request.url ?? '')} (${socket.remoteAddress ?? 'unix'}): not a proxy`,
      );
      socket.end(
        'HTTP/1.1 405 Method Not Allowed\r\nAllow: \r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
      );
      (socket as Socket & { destroySoon(): void }).destroySoon();
    });
    if (resolved.tls !== undefined) {
      this.httpServer.on('tlsClientError', (error: Error, socket: Socket) => {
        resolved.logger.warn(`TLS handshake failed (${socket.remoteAddress ?? 'unknown'}): ${error.message}`);
      });
    }
  }

  private dispatch(
    incoming: IncomingMessage,
    response: GatewayServerResponse,
    expectContinue: boolean,
  ): void {
    if (this.requestBudget > 0 && --this.requestBudget === 0) this.onBudgetSpent?.();
    if (this.state.closing && closedByDrain(incoming.socket)) {
      // Sent after the drain closed this idle connection (our FIN was on its way): nothing can answer it. Read and
      // dropped, so the socket ends with the client's FIN instead of a reset.
      return;
    }
    const request = new HTTPServerRequest(incoming, response, this.state, expectContinue);
    response.gatewayConnection = request.connection;
    // While the server drains, a request on an open connection is still served (with `Connection: close`).
    const refusal = request.framingError;
    if (refusal !== undefined) {
      this.refuse(request, refusal);
      return;
    }
    if (request.contentEncoding !== undefined) {
      readGzipBody(request, this.options).then(
        () => this.run(request),
        (error: unknown) => {
          if (error instanceof HTTPInputError) this.refuse(request, error);
          else request.connection.abort();
        },
      );
      return;
    }
    this.run(request);
  }

  private run(request: HTTPServerRequest): void {
    let result: unknown;
    try {
      const callback = this.callback;
      result = typeof callback === 'function' ? callback(request) : callback.handleRequest(request);
    } catch (error) {
      this.fail(request, error);
      return;
    }
    if (result instanceof Promise) result.then(undefined, (error: unknown) => this.fail(request, error));
  }

  /** Answers a request the server will not pass on, and closes its connection. */
  private refuse(request: HTTPServerRequest, error: HTTPInputError): void {
    if (error.status !== 503) {
      this.options.logger.warn(
        `${error.status} ${request.method} ${loggedTarget(request.uri)} (${request.remoteIp}): ${error.message}`,
      );
    }
    request.connection.sendError(error.status);
  }

  /**
   * The callback threw or rejected: 500 if nothing was sent, else abort, with an error log line — unless the
   * error is the client's (it left, or its body was refused and answered already).
   */
  private fail(request: HTTPServerRequest, error: unknown): void {
    const connection = request.connection;
    // A handler that stops because its client left, or because the server refused the request body (answered
    // and logged already), is not an application error.
    const clientSide = error instanceof StreamClosedError || error instanceof HTTPInputError;
    if (!clientSide) {
      this.options.logger.error(
        `Uncaught exception in ${request.method} ${request.uri} (${request.remoteIp}): ${describeError(error)}`,
      );
    }
    if (connection.headersWritten) connection.abort();
    else if (error instanceof HTTPInputError) connection.sendError(error.status);
    else if (clientSide) connection.abort();
    else connection.respond(500, errorPageText(500)).catch(() => connection.abort());
  }

  private onClientError(error: Error & { code?: string }, socket: Socket): void {
    const code = error.code ?? '';
    if (code === 'ECONNRESET' || code === 'EPIPE' || !socket.writable) {
      socket.destroy();
      return;
    }
    if (code === 'HPE_CLOSED_CONNECTION') {
      // Bytes after a request with `Connection: close` are not a request to answer (RFC 9112 §9.6): the response
      // in flight still goes out, then node closes the connection.
      if (!(socket as SocketWithMessage)._httpMessage) (socket as SocketWithMessage).destroySoon();
      return;
    }
    if (refusedSockets.has(socket)) return; // node reports the same parse error again for every later read
    const status = CLIENT_ERROR_STATUS[code] ?? 400;
    this.options.logger.warn(
      `${status} bad request (${socket.remoteAddress ?? 'unix'}): ${code} ${error.message}`,
    );
    const pending = (socket as SocketWithMessage)._httpMessage;
    if (pending?.req.complete) {
      // The error is in a request pipelined behind ones that parsed fine: those are answered first, in order
      // (when a response emits 'finish', node detaches it and hands the socket to the next queued one), then the
      // refusal. `writableFinished` is no guide: it turns true before 'finish' is emitted.
      refusedSockets.add(socket);
      const refuseAfterResponses = () => {
        const current = (socket as SocketWithMessage)._httpMessage;
        if (current) current.once('finish', refuseAfterResponses);
        else writeRefusal(socket, status);
      };
      refuseAfterResponses();
      return;
    }
    if (pending) {
      // The request already reached the application (its body was being read): answer through its connection
      // if nothing was sent yet, then close once that is flushed; the body stream fails when the socket closes.
      const connection = pending.gatewayConnection;
      if (connection !== undefined && !connection.headersWritten) {
        connection.refuseBody(new HTTPInputError(status, `${code} ${error.message}`), false);
        (socket as SocketWithMessage).destroySoon();
      } else {
        socket.destroy();
      }
      return;
    }
    writeRefusal(socket, status);
  }

  private async ready(): Promise<void> {
    const callback = this.callback;
    if (typeof callback !== 'function' && typeof callback.ready === 'function') await callback.ready();
  }

  /**
   * Awaits the target's `ready()` (so an application that fails to load fails here), then listens. Port `0` picks a
   * free port; a string is a Unix socket path: a stale socket file there (nothing answers on it) is replaced, a
   * live one is an error, and the file is removed when the server closes.
   */
  async listen(port: number | string, host?: string): Promise<ListeningAddress> {
    await this.ready();
    const address = await this.listenOn(this.httpServer, port, host);
    this.addresses = [address];
    return address;
  }

  private async listenOn(server: NetServer, port: number | string, host?: string): Promise<ListeningAddress> {
    // In a worker process the primary owns the socket (and claimed its path before forking).
    if (typeof port === 'string' && cluster.isPrimary) await claimSocketPath(port);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      const onListening = () => {
        server.off('error', reject);
        resolve();
      };
      if (typeof port === 'string') server.listen(port, onListening);
      else server.listen(port, host, onListening);
    });
    const mode = this.options.unixSocketMode;
    if (typeof port === 'string' && mode !== undefined) await setSocketMode(port, mode);
    const address = server.address();
    if (address === null) throw new Error('server is not listening');
    return typeof address === 'string'
      ? { address, port: 0 }
      : { address: address.address, port: address.port };
  }

  /** Listens on every bound address; the first on `httpServer`, the others hand their connections to it. */
  private async listenAll(): Promise<readonly ListeningAddress[]> {
    await this.ready();
    const addresses: ListeningAddress[] = [];
    try {
      for (const [index, { port, host }] of this.bound.entries()) {
        let listener: NetServer = this.httpServer;
        if (index > 0) {
          listener = createNetServer((socket) => this.httpServer.emit('connection', socket));
          this.extraListeners.push(listener);
        }
        addresses.push(await this.listenOn(listener, port, host));
      }
    } catch (error) {
      for (const listener of [this.httpServer, ...this.extraListeners])
        if (listener.listening) listener.close();
      throw error;
    }
    this.addresses = addresses;
    return addresses;
  }

  /**
   * Remembers where `start()` listens (Tornado's `bind`): a port and host, or a Unix socket path. Call it more
   * than once to listen on several addresses.
   */
  bind(port: number | string, host?: string): void {
    this.bound.push({ port, host });
  }

  /**
   * Tornado's `start(processes)`: with `1` (the default) this process listens on the bound addresses. With more
   * (`0` = one per CPU, or `1` with `supervise`), the primary forks that many workers on `node:cluster`, replaces
   * any that die, and serves no requests itself; each worker (which runs the same script) listens. Resolves to the
   * first address once listening — in the primary, once every worker of the first batch listens (it rejects if
   * none could).
   */
  async start(processes = 1, options: StartOptions = {}): Promise<ListeningAddress> {
    if (this.bound.length === 0) throw new Error('call bind(port, host?) before start()');
    if (processes === 1 && !options.supervise) return (await this.listenAll())[0]!;
    if (cluster.isPrimary) {
      for (const { port } of this.bound) if (typeof port === 'string') await claimSocketPath(port);
    }
    const role = await startProcesses(this, this.options.logger, processes, options);
    if (role.role === 'primary') {
      this.processes = role;
      this.addresses = role.addresses;
      return role.addresses[0]!;
    }
    const addresses = await this.listenAll();
    role.announce(addresses);
    const maxRequests = options.maxRequests ?? 0;
    if (maxRequests > 0) {
      this.requestBudget = maxRequests + Math.floor(Math.random() * ((options.maxRequestsJitter ?? 0) + 1));
      this.onBudgetSpent = role.retire;
    }
    return addresses[0]!;
  }

  /**
   * In a multi-process primary: replaces every worker process without failing a request. As many new workers
   * start (loading the application afresh); once they all listen, the old ones drain (as `close()` does) and exit.
   * Rejects, leaving the old workers serving, if a new one exits before it listens.
   */
  reloadProcesses(options: CloseOptions = {}): Promise<void> {
    if (this.processes === undefined) {
      return Promise.reject(
        new Error('reloadProcesses() needs start() with several processes (or supervise)'),
      );
    }
    return this.processes.reload(options.timeoutMs ?? 10_000);
  }

  /**
   * Graceful shutdown: every request a client already sent on an accepted connection is answered. Responses from
   * now on carry `Connection: close`; requests that still arrive on open connections are served; the listener
   * closes once the connections the kernel already accepted are taken; a connection with nothing sent is closed
   * with a FIN once the bytes waiting in the kernel have been read; after `timeoutMs` whatever is left is closed.
   * In a multi-process primary it closes every worker the same way. Safe to call more than once.
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.closePromise ??= this.shutdown(options.timeoutMs ?? 10_000);
    return this.closePromise;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    this.state.closing = true;
    if (this.processes !== undefined) {
      await this.processes.stop(timeoutMs);
      return;
    }
    const targetClosed = this.closeTarget(timeoutMs);
    const server = this.httpServer;
    if (!server.listening) {
      server.closeAllConnections();
      await targetClosed;
      return;
    }
    await this.drain.run(timeoutMs, this.extraListeners, () => {
      this.options.logger.warn(
        `close: requests still running after ${timeoutMs} ms; closing their connections`,
      );
      // The target ends its own stuck work at the same deadline and answers those requests (503): let that go
      // out first, for a moment at most.
      return settledWithin(targetClosed, targetGraceMs);
    });
    await targetClosed;
  }

  /** The target's `close()`, if it has one, with the same deadline; never rejects (a failure is logged). */
  private closeTarget(timeoutMs: number): Promise<void> {
    const callback = this.callback;
    if (typeof callback === 'function' || typeof callback.close !== 'function') return Promise.resolve();
    return (async () => callback.close!({ timeoutMs }))().catch((error: unknown) => {
      this.options.logger.error(`close: the request handler failed to close: ${describeError(error)}`);
    });
  }
}

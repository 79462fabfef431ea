/**
 * The native async side of the demo: `/live` and its server-sent event stream `/live/events`, ticking once a
 * second with the clock and the server's request counter. It runs on the event loop, so it shows at a glance
 * whether a gateway application is blocking that loop.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { HTTPServerRequest } from '@tsgi/http-server';
import { livePageHTML } from './live-page.js';

const encoder = new TextEncoder();

/** How often a tick is sent. */
const tickIntervalMs = 1000;

export class LiveClock {
  /** Requests the server has received (counted by `countRequest`, in this process). */
  requests = 0;
  readonly #closing = new AbortController();

  /** Counts one request; the demo calls it for every request before routing. */
  countRequest(): void {
    this.requests++;
  }

  /** `GET /live`: the page that subscribes to the stream. */
  page = (request: HTTPServerRequest): Promise<void> =>
    request.connection.respond(200, livePageHTML, { 'Content-Type': 'text/html; charset=utf-8' });

  /** `GET /live/events`: one `tick` event a second until the client leaves or the server closes. */
  events = async (request: HTTPServerRequest): Promise<void> => {
    const connection = request.connection;
    const stop = AbortSignal.any([connection.signal, this.#closing.signal]);
    await connection.writeHeaders({ code: 200, reason: 'OK' }, [
      'Content-Type',
      'text/event-stream; charset=utf-8',
      'Cache-Control',
      'no-store',
    ]);
    try {
      while (!stop.aborted) {
        const tick = JSON.stringify({
          time: new Date().toISOString(),
          requests: this.requests,
          pid: process.pid,
        });
        await connection.write(encoder.encode(`event: tick\ndata: ${tick}\n\n`));
        await sleep(tickIntervalMs, undefined, { signal: stop });
      }
    } catch (error) {
      // Aborted: the client left (nothing more to send) or the server is closing (end the stream cleanly).
      if (!stop.aborted) throw error;
    }
    if (!connection.signal.aborted) connection.finish();
  };

  /** Ends every open stream, so a graceful shutdown does not wait for clients that never leave. */
  close(): void {
    this.#closing.abort();
  }
}

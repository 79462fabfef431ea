/**
 * The messages the gateway handler sends to the container through `WorkPort.send()`. They are plain,
 * structured-cloneable objects, because the handler may run on a worker thread.
 */
import type { SerializedError } from '@tsgi/protocol';

/** The status line and headers, with the first body bytes; `end` when the body is complete. */
export interface HeadMessage {
  readonly type: 'head';
  readonly code: number;
  readonly reason: string;
  /** Flat `[name, value, …]`, validated, with `Server` and any computed `Content-Length` added. */
  readonly headers: string[];
  readonly chunk: Uint8Array | null;
  readonly end: boolean;
}

/** More body bytes, after the head; `end` when they are the last. */
export interface BodyMessage {
  readonly type: 'body';
  readonly chunk: Uint8Array;
  readonly end: boolean;
}

/** The body ended after the last `body` message. */
export interface EndMessage {
  readonly type: 'end';
}

/** The application failed; `headersSent` tells whether a 500 page can still be sent. */
export interface ErrorMessage {
  readonly type: 'error';
  readonly headersSent: boolean;
  readonly error: SerializedError;
}

/** A line the application wrote to `wsgi.errors`, or a warning from the gateway. */
export interface LogMessage {
  readonly type: 'log';
  readonly level: 'warn' | 'error';
  readonly text: string;
}

export type GatewayMessage = HeadMessage | BodyMessage | EndMessage | ErrorMessage | LogMessage;

import type { AccessLog } from '@tsgi/protocol';
import type { ResolvedOptions } from './options.js';
import type { TrustedDownstream } from './trusted-downstream.js';

/** What every request and connection of one server shares (one object per server, never per request). */
export interface ServerState {
  readonly options: ResolvedOptions;
  /** Set when `xheaders` is on. */
  readonly trusted: TrustedDownstream | undefined;
  /** The access log, when the server keeps one. */
  readonly accessLog: AccessLog | undefined;
  /** True once `close()` started: responses carry `Connection: close`, new requests get 503. */
  closing: boolean;
  /** Called after a response finished while closing, so its now-idle connection is closed. */
  onIdleWhileClosing(): void;
}

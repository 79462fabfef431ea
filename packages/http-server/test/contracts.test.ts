import { describe, expectTypeOf, it } from 'vitest';
import type { HTTPConnection, HTTPServerRequest } from '../src/index.js';

// Copies of the seams in docs/architecture.md (`GatewayRequest` from @tsgi/environ, `GatewayConnection` from
// @tsgi/container). This package imports neither: it must satisfy them structurally.
interface GatewayRequest {
  readonly method: string;
  readonly uri: string;
  readonly version: string;
  readonly rawHeaders: readonly string[];
  readonly body?: Uint8Array | undefined;
  readonly bodyStream?: AsyncIterable<Uint8Array> | undefined;
  readonly bodyLength?: number | undefined;
  readonly remoteIp: string;
  readonly remotePort?: number | undefined;
  readonly serverIp?: string | undefined;
  readonly serverPort?: number | undefined;
  readonly protocol: string;
  readonly scriptName?: string | undefined;
}

interface GatewayConnection {
  writeHeaders(
    startLine: { code: number; reason: string },
    headers: readonly string[],
    chunk?: Uint8Array,
  ): Promise<void>;
  write(chunk: Uint8Array): Promise<void>;
  finish(): void;
  abort(): void;
  readonly signal: AbortSignal;
}

describe('contracts', () => {
  it('HTTPServerRequest satisfies GatewayRequest and its connection GatewayConnection', () => {
    expectTypeOf<HTTPServerRequest>().toExtend<GatewayRequest & { connection: GatewayConnection }>();
    expectTypeOf<HTTPConnection>().toExtend<GatewayConnection>();
  });
});

// Properties of the whole gateway path, in-process against a recording connection: whatever the application
// yields (sizes, empty chunks, strings, arrays or generators, write() calls, a Content-Length), the bytes on the
// connection are the concatenation in order, cut at the Content-Length, and close() runs exactly once.
import { fc, test } from '@fast-check/vitest';
import type { ContainerRequest, GatewayConnection } from '@tsgi/protocol';
import { expect } from 'vitest';
import { WSGIContainer } from './container.js';

const quiet = { info() {}, warn() {}, error() {} };

class RecordingConnection implements GatewayConnection {
  status = 0;
  headers: readonly string[] = [];
  body: number[] = [];
  finished = 0;
  aborted = 0;
  readonly signal = new AbortController().signal;
  writeHeaders(startLine: { code: number }, headers: readonly string[], chunk?: Uint8Array) {
    this.status = startLine.code;
    this.headers = headers;
    if (chunk !== undefined) this.body.push(...chunk);
    return Promise.resolve();
  }
  write(chunk: Uint8Array) {
    this.body.push(...chunk);
    return Promise.resolve();
  }
  finish() {
    this.finished++;
  }
  abort() {
    this.aborted++;
  }
  header(name: string): string | undefined {
    const index = this.headers.findIndex((value, at) => at % 2 === 0 && value.toLowerCase() === name);
    return index < 0 ? undefined : this.headers[index + 1];
  }
}

function request(connection: GatewayConnection, method: string): ContainerRequest {
  return {
    method,
    uri: '/',
    version: 'HTTP/1.1',
    rawHeaders: ['Host', 'example.com'],
    body: new Uint8Array(0),
    remoteIp: '127.0.0.1',
    protocol: 'http',
    connection,
  };
}

const chunk = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }),
  fc.string({ maxLength: 50 }),
  fc.constant(new Uint8Array(0)),
);

test.prop([
  fc.array(chunk, { maxLength: 40 }),
  fc.array(chunk, { maxLength: 3 }),
  fc.boolean(),
  fc.option(fc.nat({ max: 20000 }), { nil: undefined }),
  fc.constantFrom('GET', 'HEAD'),
])(
  'bytes arrive in order, cut at Content-Length; close() once',
  async (chunks, written, asArray, declared, method) => {
    let closed = 0;
    const container = new WSGIContainer(
      (_environ, startResponse) => {
        const headers: Array<[string, string]> = [['Content-Type', 'application/octet-stream']];
        if (declared !== undefined) headers.push(['Content-Length', String(declared)]);
        const write = startResponse('200 OK', headers);
        for (const part of written) write(part);
        const body = asArray
          ? [...chunks]
          : (function* () {
              yield* chunks;
            })();
        return Object.assign(body, { close: () => closed++ });
      },
      { logger: quiet },
    );
    const connection = new RecordingConnection();
    await container.handleRequest(request(connection, method));

    const encoder = new TextEncoder();
    const all = [...written, ...chunks].flatMap((part) => [
      ...(typeof part === 'string' ? encoder.encode(part) : part),
    ]);
    const expected = method === 'HEAD' ? [] : all.slice(0, declared ?? all.length);
    expect(connection.status).toBe(200);
    expect(connection.body).toEqual(expected);
    expect(connection.finished).toBe(1);
    expect(connection.aborted).toBe(0);
    expect(closed).toBe(1);
    const length = connection.header('content-length');
    if (declared !== undefined) expect(length).toBe(String(declared));
    else if (length !== undefined) expect(Number(length)).toBe(all.length);
    if (asArray && declared === undefined) expect(length).toBe(String(all.length));
  },
);

test.prop([fc.array(chunk, { maxLength: 10 }), fc.array(chunk, { maxLength: 2 }), fc.nat({ max: 10 })])(
  'an application that throws part-way gets a 500 if nothing was sent, else an abort; close() once',
  async (chunks, written, failAt) => {
    let closed = 0;
    const container = new WSGIContainer(
      (_environ, startResponse) => {
        const write = startResponse('200 OK', [['Content-Type', 'text/plain']]);
        for (const part of written) write(part);
        const body = (function* () {
          for (let index = 0; index < chunks.length; index++) {
            if (index === failAt) throw new Error('part-way');
            yield chunks[index]!;
          }
          if (failAt >= chunks.length) throw new Error('at the end');
        })();
        return Object.assign(body, { close: () => closed++ });
      },
      { logger: quiet },
    );
    const connection = new RecordingConnection();
    await container.handleRequest(request(connection, 'GET'));
    const sentBefore = chunks.slice(0, failAt).some((part) => part.length > 0);
    if (sentBefore) {
      expect(connection.aborted).toBe(1);
      expect(connection.finished).toBe(0);
    } else {
      expect(connection.status).toBe(500);
      expect(connection.finished).toBe(1);
      expect(connection.aborted).toBe(0);
    }
    expect(closed).toBe(1);
  },
);

test.prop(
  [
    fc.array(fc.uint8Array({ maxLength: 5000 }), { maxLength: 12 }),
    fc.nat({ max: 20_000 }),
    fc.integer({ min: 1, max: 7000 }),
    fc.boolean(),
  ],
  { numRuns: 60 },
)(
  'a streamed body in any chunks, in memory or spooled to a file, reaches wsgi.input whole, with its CONTENT_LENGTH',
  async (parts, bodyBufferSize, readSize, declared) => {
    const expected = parts.flatMap((part) => [...part]);
    let seen: { contentLength: unknown; bytes: number[] } | undefined;
    const container = new WSGIContainer(
      (environ, startResponse) => {
        const input = environ['wsgi.input'];
        const bytes: number[] = [];
        // A line first (up to a newline byte, 10), then pieces of `readSize`: both ways over the same stream.
        const line = input.readline();
        bytes.push(...line);
        for (let piece = input.read(readSize); piece.length > 0; piece = input.read(readSize))
          bytes.push(...piece);
        seen = { contentLength: environ.CONTENT_LENGTH, bytes };
        startResponse('200 OK', [['Content-Type', 'text/plain']]);
        return [];
      },
      { logger: quiet, bodyBufferSize },
    );
    const connection = new RecordingConnection();
    await container.handleRequest({
      ...request(connection, 'POST'),
      body: undefined,
      bodyStream: (async function* () {
        yield* parts;
      })(),
      // A Content-Length is known up front; a chunked body's length only once it is read.
      bodyLength: declared ? expected.length : undefined,
    });
    expect(connection.status).toBe(200);
    expect(seen?.bytes).toEqual(expected);
    expect(seen?.contentLength).toBe(String(expected.length));
  },
);

test('a request with neither a body nor a body stream reads as empty', async () => {
  let read: Uint8Array | undefined;
  const container = new WSGIContainer(
    (environ, startResponse) => {
      read = environ['wsgi.input'].read();
      startResponse('204 No Content', []);
      return [];
    },
    { logger: quiet },
  );
  const connection = new RecordingConnection();
  await container.handleRequest({ ...request(connection, 'GET'), body: undefined });
  expect(connection.status).toBe(204);
  expect(read?.length).toBe(0);
});

import { createGunzip } from 'node:zlib';
import { joinChunks } from '@tsgi/protocol';
import { HTTPInputError, StreamClosedError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import type { HTTPServerRequest } from './request.js';
import { trailerError } from './trailers.js';

/**
 * The request body as an async iterable: answers `Expect: 100-continue` on the first pull, counts bytes against
 * `maxBodySize` (413 on overflow), and refuses a trailer section `trailerError` rules out (400 or 431) before it
 * reports the end. Stopping early does not destroy the socket: node discards the rest of the body after the
 * response, so the connection can be reused.
 */
export async function* readBodyStream(
  request: HTTPServerRequest,
  options: ResolvedOptions,
): AsyncGenerator<Uint8Array, void, undefined> {
  const maxBodySize = options.maxBodySize;
  const connection = request.connection;
  connection.sendContinue();
  let received = 0;
  const incoming = request.incoming;
  // Once a refusal has finished the response (a bad chunk, a body over the limit), node no longer counts the
  // request as in flight and does not fail it when the socket closes: without this, a reader waiting for the
  // rest of the body would wait forever (a worker thread blocked in read() would be lost for good).
  const failIfIncomplete = () => {
    if (!incoming.complete) incoming.destroy(new StreamClosedError('the connection closed'));
  };
  const socket = incoming.socket;
  const forget = () => socket.off('close', failIfIncomplete);
  if (socket.destroyed) failIfIncomplete();
  else {
    socket.once('close', failIfIncomplete);
    incoming.once('end', forget); // also when the reader stops pulling without returning
  }
  const chunks = incoming.iterator({ destroyOnReturn: false });
  try {
    while (true) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (error) {
        // The client left (or a timeout or parse error closed the connection) in the middle of the body.
        throw new StreamClosedError('the connection closed before the request body was complete', {
          cause: error,
        });
      }
      if (next.done) {
        const refused = trailerError(incoming.rawTrailers, options);
        if (refused !== undefined) throw connection.refuseBody(refused);
        return;
      }
      received += next.value.length;
      if (received > maxBodySize) {
        throw connection.refuseBody(
          new HTTPInputError(413, `request body exceeds maxBodySize (${maxBodySize} bytes)`),
        );
      }
      yield next.value;
    }
  } finally {
    forget();
  }
}

/**
 * The whole body, collected from node's `data` events into `request.body` (and `bodyLength`): the same checks as
 * `readBodyStream` (100 Continue on the first read, `maxBodySize`, the trailer section, a connection that closes
 * early), without a promise or an iterator step per chunk. A body that arrives in one chunk is kept as it is; a
 * longer one is joined once.
 */
export function collectBody(request: HTTPServerRequest, options: ResolvedOptions): Promise<Uint8Array> {
  const maxBodySize = options.maxBodySize;
  const connection = request.connection;
  connection.sendContinue();
  const incoming = request.incoming;
  const socket = incoming.socket;
  return new Promise<Uint8Array>((resolve, reject) => {
    let first: Buffer | undefined;
    let rest: Buffer[] | undefined;
    let received = 0;
    const stop = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      socket.off('close', failIfIncomplete);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBodySize) {
        stop();
        reject(
          connection.refuseBody(
            new HTTPInputError(413, `request body exceeds maxBodySize (${maxBodySize} bytes)`),
          ),
        );
        return;
      }
      if (first === undefined) first = chunk;
      else if (rest === undefined) rest = [chunk];
      else rest.push(chunk);
    };
    const onEnd = () => {
      stop();
      const refused = trailerError(incoming.rawTrailers, options);
      if (refused !== undefined) {
        reject(connection.refuseBody(refused));
        return;
      }
      let body: Uint8Array;
      if (first === undefined) body = new Uint8Array(0);
      else if (rest === undefined) body = first;
      else {
        rest.unshift(first);
        body = joinChunks(rest, received, Buffer.allocUnsafe);
      }
      request.body = body;
      request.bodyLength = body.length;
      resolve(body);
    };
    const onError = (error: unknown) => {
      stop();
      // The client left (or a timeout or parse error closed the connection) in the middle of the body.
      reject(
        new StreamClosedError('the connection closed before the request body was complete', { cause: error }),
      );
    };
    // As in readBodyStream: once a refusal finished the response, node no longer fails the request when its
    // socket closes, so the reader would wait forever.
    const failIfIncomplete = () => {
      if (!incoming.complete) incoming.destroy(new StreamClosedError('the connection closed'));
    };
    // Read or discarded already (node discards an unread body once the response finished): no event will come.
    if (incoming.readableEnded) {
      onEnd();
      return;
    }
    if (incoming.destroyed) {
      onError(incoming.errored);
      return;
    }
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    // `on`, not `once`: stop() removes it, and `once` would allocate a wrapper per request.
    if (socket.destroyed) failIfIncomplete();
    else socket.on('close', failIfIncomplete);
  });
}

/**
 * Reads and gunzips a `Content-Encoding: gzip` body into `request.body`, bounded by `maxBodySize` after
 * decompression, and renames the header to `X-Consumed-Content-Encoding` (as Tornado does) so the application
 * does not decode it again. Throws an `HTTPInputError` (400 for a corrupt stream or a refused trailer section, 413
 * when too large).
 */
export function readGzipBody(request: HTTPServerRequest, options: ResolvedOptions): Promise<void> {
  const { maxBodySize, chunkSize } = options;
  request.connection.sendContinue();
  const incoming = request.incoming;
  return new Promise<void>((resolve, reject) => {
    const gunzip = createGunzip({ chunkSize });
    const chunks: Buffer[] = [];
    let length = 0;
    const fail = (error: unknown) => {
      incoming.unpipe(gunzip);
      gunzip.destroy();
      reject(
        error instanceof HTTPInputError
          ? error
          : new HTTPInputError(400, `invalid gzip request body: ${(error as Error).message}`),
      );
    };
    gunzip.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > maxBodySize) {
        fail(new HTTPInputError(413, `decompressed request body exceeds maxBodySize (${maxBodySize} bytes)`));
        return;
      }
      chunks.push(chunk);
    });
    gunzip.on('error', fail);
    gunzip.on('end', () => {
      const refused = trailerError(incoming.rawTrailers, options);
      if (refused !== undefined) {
        reject(refused);
        return;
      }
      const raw = request.rawHeaders.slice();
      for (let index = 0; index < raw.length; index += 2) {
        if (raw[index]!.toLowerCase() === 'content-encoding') raw[index] = 'X-Consumed-Content-Encoding';
      }
      request.rawHeaders = raw;
      request.body = joinChunks(chunks, length, Buffer.allocUnsafe);
      request.bodyLength = length;
      resolve();
    });
    incoming.on('error', (error) => reject(error));
    incoming.pipe(gunzip);
  });
}

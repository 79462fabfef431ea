/**
 * The gateway application every tsgi container of the benchmark serves (inline and on the thread pool), one
 * workload per path. Its Python twin is app.py.
 */
import { burnCpu, cpuUpdates, helloBody, largeChunks, streamChunk, streamChunkCount } from './workload.mjs';

/** @typedef {import('@tsgi/environ').WSGIApplication} WSGIApplication */

/** @param {string} text */
const plainHeaders = (text) =>
  /** @type {[string, string][]} */ ([
    ['Content-Type', 'text/plain'],
    ['Content-Length', String(text.length)],
  ]);

/** @type {WSGIApplication} */
export const app = (environ, startResponse) => {
  switch (environ.PATH_INFO) {
    case '/hello':
      startResponse('200 OK', plainHeaders('Hello, world!'));
      return [helloBody];
    case '/ping':
      startResponse('200 OK', plainHeaders('pong'));
      return [Buffer.from('pong')];
    case '/echo': {
      const body = String(environ['wsgi.input'].read().length);
      startResponse('200 OK', plainHeaders(body));
      return [Buffer.from(body)];
    }
    case '/stream':
      startResponse('200 OK', [['Content-Type', 'application/octet-stream']]);
      return streamChunks();
    case '/cpu': {
      const body = burnCpu(cpuUpdates);
      startResponse('200 OK', plainHeaders(body));
      return [Buffer.from(body)];
    }
    case '/large':
      startResponse('200 OK', [['Content-Type', 'application/octet-stream']]);
      return largeChunks();
    default:
      startResponse('404 Not Found', [['Content-Length', '0']]);
      return [];
  }
};

/** A generator, as a streaming WSGI app would write it: one chunk per yield. */
function* streamChunks() {
  for (let index = 0; index < streamChunkCount; index++) yield streamChunk;
}

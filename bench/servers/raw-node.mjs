/**
 * The floor of our stack: raw node:http answering each workload by hand, the way a careful user would
 * without tsgi. The stream writes each 1 KiB chunk with its own res.write, as a generator-driven server does;
 * the large response honours backpressure ('drain'), so memory stays flat for a reader that stalls.
 */
import { createServer } from 'node:http';
import {
  announceListening,
  burnCpu,
  cpuUpdates,
  helloBody,
  largeChunks,
  streamChunk,
  streamChunkCount,
} from './workload.mjs';

const server = createServer((request, response) => {
  switch (request.url) {
    case '/hello':
      response.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': helloBody.length });
      response.end(helloBody);
      return;
    case '/ping':
      response.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 4 });
      response.end('pong');
      return;
    case '/echo': {
      let length = 0;
      request.on('data', (chunk) => {
        length += chunk.length;
      });
      request.on('end', () => {
        const body = String(length);
        response.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
        response.end(body);
      });
      return;
    }
    case '/stream':
      response.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      for (let index = 0; index < streamChunkCount; index++) response.write(streamChunk);
      response.end();
      return;
    case '/cpu': {
      const body = burnCpu(cpuUpdates);
      response.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
      response.end(body);
      return;
    }
    case '/large':
      response.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      writeWithBackpressure(response, largeChunks());
      return;
    default:
      response.writeHead(404, { 'Content-Length': 0 });
      response.end();
  }
});

/**
 * @param {import('node:http').ServerResponse} response
 * @param {Iterator<Buffer>} chunks
 */
function writeWithBackpressure(response, chunks) {
  const pump = () => {
    for (let next = chunks.next(); !next.done; next = chunks.next()) {
      if (!response.write(next.value)) {
        response.once('drain', pump);
        return;
      }
    }
    response.end();
  };
  response.on('close', () => chunks.return?.(undefined));
  pump();
}

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  announceListening(typeof address === 'object' && address ? address.port : 0);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});

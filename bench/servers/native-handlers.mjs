/**
 * The workloads as tsgi native handlers (async functions on the event loop, routed by RuleRouter): what a user
 * writes without a gateway application. Also the trivial `/ping` route the responsiveness workload measures
 * beside a container.
 */
import { burnCpu, cpuUpdates, helloBody, largeChunks, streamChunk, streamChunkCount } from './workload.mjs';

/** @typedef {import('@tsgi/http-server').HTTPServerRequest} HTTPServerRequest */
/** @typedef {import('@tsgi/http-server').RuleSpec} RuleSpec */

const plain = { 'Content-Type': 'text/plain' };
const ok = { code: 200, reason: 'OK' };
const octetStream = ['Content-Type', 'application/octet-stream'];

/** @param {HTTPServerRequest} request */
export const ping = (request) => request.connection.respond(200, 'pong', plain);

/**
 * @param {HTTPServerRequest} request
 * @param {Iterable<Uint8Array>} chunks
 */
async function stream(request, chunks) {
  const { connection } = request;
  await connection.writeHeaders(ok, octetStream);
  // Each write resolves once the socket can take more: a stalled reader holds us here (flat memory).
  for (const chunk of chunks) await connection.write(chunk);
  connection.finish();
}

function* streamChunks() {
  for (let index = 0; index < streamChunkCount; index++) yield streamChunk;
}

/** @type {RuleSpec[]} */
export const nativeRules = [
  ['/hello', (request) => request.connection.respond(200, helloBody, plain)],
  ['/ping', ping],
  [
    '/echo',
    async (request) => {
      const body = await request.readBody();
      return request.connection.respond(200, String(body.length), plain);
    },
  ],
  ['/stream', (request) => stream(request, streamChunks())],
  ['/cpu', (request) => request.connection.respond(200, burnCpu(cpuUpdates), plain)],
  ['/large', (request) => stream(request, largeChunks())],
];

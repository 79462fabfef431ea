// What the server adds per request before the callback runs: building HTTPServerRequest and its connection for a
// typical GET, from stand-ins for node's objects. Usage: node bench/request.mjs (after `pnpm build`).
import { HTTPServerRequest } from '../dist/index.js';

// The default limits; `node bench/request.mjs nolimits` sets them to 0, to see what checking them costs.
const limit = (value) => (process.argv[2] === 'nolimits' ? 0 : value);
const state = {
  options: {
    decompressRequest: false,
    maxBodySize: 104857600,
    protocol: 'http',
    limitRequestLine: limit(8190),
    limitRequestFields: limit(100),
    limitRequestFieldSize: limit(8190),
  },
  trusted: undefined,
  closing: false,
  onIdleWhileClosing() {},
};
const incoming = {
  method: 'GET',
  url: '/plaintext',
  httpVersionMajor: 1,
  httpVersionMinor: 1,
  httpVersion: '1.1',
  rawHeaders: ['Host', 'localhost:8080', 'User-Agent', 'wrk', 'Accept', '*/*', 'Connection', 'keep-alive'],
  socket: { remoteAddress: '127.0.0.1' },
};
const response = {};
const results = [];
let request;
for (let round = 0; round < 7; round++) {
  const count = 2_000_000;
  const started = process.hrtime.bigint();
  for (let index = 0; index < count; index++)
    request = new HTTPServerRequest(incoming, response, state, false);
  results.push(Number(process.hrtime.bigint() - started) / count);
}
if (request.method !== 'GET') throw new Error('unreachable: keeps the loop from being optimised away');
results.sort((a, b) => a - b);
console.log(`request + connection: median ${results[3].toFixed(0)} ns (min ${results[0].toFixed(0)} ns)`);

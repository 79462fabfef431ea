// Measures buildEnviron/environVariables per call on the built package: `pnpm build && node bench/build-environ.mjs`.
// A benchmark, not a test: numbers vary with the machine's load.
import { buildEnviron, environVariables } from '../dist/index.js';

const requests = {
  'hello (2 headers)': {
    method: 'GET',
    uri: '/',
    version: 'HTTP/1.1',
    rawHeaders: ['Host', '127.0.0.1:8888', 'Connection', 'keep-alive'],
    remoteIp: '127.0.0.1',
    remotePort: 54321,
    serverIp: '127.0.0.1',
    serverPort: 8888,
    protocol: 'http',
  },
  'browser (10 headers, query, %)': {
    method: 'GET',
    uri: '/search/caf%C3%A9?q=1&page=2',
    version: 'HTTP/1.1',
    rawHeaders: [
      'Host',
      'example.com',
      'User-Agent',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
      'Accept',
      'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      'Accept-Language',
      'en-US,en;q=0.5',
      'Accept-Encoding',
      'gzip, deflate, br',
      'Connection',
      'keep-alive',
      'Cookie',
      'session=abc123',
      'Upgrade-Insecure-Requests',
      '1',
      'Sec-Fetch-Dest',
      'document',
      'Cache-Control',
      'max-age=0',
    ],
    remoteIp: '127.0.0.1',
    remotePort: 54321,
    protocol: 'https',
  },
  'POST with body': {
    method: 'POST',
    uri: '/api/items',
    version: 'HTTP/1.1',
    rawHeaders: ['Host', 'localhost:3000', 'Content-Type', 'application/json', 'Content-Length', '13'],
    body: new TextEncoder().encode('{"name":"x"}\n'),
    remoteIp: '127.0.0.1',
    remotePort: 54321,
    protocol: 'http',
  },
};

// node:http hands each request fresh strings (cut from the socket buffer), so string hashes are not cached:
// copy the strings for every call, and subtract the cost of copying (measured alone).
const raw = (request) => {
  const text = [request.uri, ...request.rawHeaders].join('\n');
  const bytes = Buffer.from(text, 'latin1');
  const bounds = [];
  let start = 0;
  for (const part of text.split('\n')) {
    bounds.push(start, start + part.length);
    start += part.length + 1;
  }
  return () => {
    const rawHeaders = [];
    for (let i = 2; i < bounds.length; i += 2) rawHeaders.push(bytes.latin1Slice(bounds[i], bounds[i + 1]));
    return { ...request, uri: bytes.latin1Slice(bounds[0], bounds[1]), rawHeaders };
  };
};
const iterations = Number(process.argv[2] ?? 1_000_000);
const sink = () => {};
function measure(fresh, build) {
  let keep;
  for (let i = 0; i < 100_000; i++) keep = build(fresh()); // warm up
  // CPU time, not wall time: on a shared machine the process is often waiting for a core.
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) keep = build(fresh());
  if (!keep) throw new Error('unreachable');
  const used = process.cpuUsage(start);
  return (used.user + used.system) / iterations;
}

// The machine is shared: report the best of several rounds, the one least disturbed by other processes.
const rounds = 7;
for (const [name, request] of Object.entries(requests)) {
  const fresh = raw(request);
  for (const [label, build] of [
    ['environVariables', (r) => environVariables(r)],
    ['buildEnviron', (r) => buildEnviron(r, { errors: sink })],
  ]) {
    let copying = Number.POSITIVE_INFINITY;
    let building = Number.POSITIVE_INFINITY;
    for (let round = 0; round < rounds; round++) {
      copying = Math.min(
        copying,
        measure(fresh, (r) => r),
      );
      building = Math.min(building, measure(fresh, build));
    }
    const line = `${label.padEnd(17)} ${name.padEnd(32)} ${(building - copying).toFixed(3)} µs/call`;
    console.log(`${line} (best of ${rounds}; ${building.toFixed(3)} µs with copying the request)`);
  }
}

// Handlers the benchmark runs on the pool: a hello response, and one that burns ~5 ms of CPU first.
const body = new TextEncoder().encode('Hello world!');
const headers = [
  ['Content-Type', 'text/plain'],
  ['Content-Length', '12'],
];

export function hello(_payload, port) {
  port.send({ status: 200, headers, body });
}

export function cpu(payload, port) {
  const end = performance.now() + (payload.cpuMs ?? 5);
  let spins = 0;
  while (performance.now() < end) spins++;
  port.send({ status: 200, headers, body, spins });
}

// WSGIContainer + InlineExecutor on HTTPServer against raw node:http, alternating in the same run (wrk must be on
// PATH). Reports req/s and, less sensitive to a busy machine, the server process's CPU time per request, each as a
// ratio to the first server listed. A benchmark, not a test: numbers vary with the machine's load.
//
// Usage: node bench/gateway.mjs <hello|stream> [rounds=5] [seconds=4] [servers]   (after `pnpm build`)
//   hello   13-byte body; servers default to raw,container
//   stream  a generator of 100 × 1 KiB chunks; servers default to raw,joined,container, where `raw` writes each
//           chunk with its own res.write() and `joined` sends them concatenated in one res.end()
import { execFileSync, fork } from 'node:child_process';
import { createServer } from 'node:http';

const [workload = 'hello', roundsArgument, secondsArgument, serversArgument] = process.argv.slice(2);
const rounds = Number(roundsArgument ?? 5);
const seconds = Number(secondsArgument ?? 4);
const servers = (serversArgument ?? (workload === 'hello' ? 'raw,container' : 'raw,joined,container')).split(
  ',',
);
const connections = workload === 'hello' ? 50 : 10;
const body = Buffer.from('Hello, world!');
const kibibyte = Buffer.alloc(1024, 'x');

const rawHandlers = {
  hello: (_request, response) => {
    response.writeHead(200, ['Content-Type', 'text/plain', 'Content-Length', String(body.length)]);
    response.end(body);
  },
  stream: (_request, response) => {
    response.writeHead(200, ['Content-Type', 'text/plain']);
    for (let index = 0; index < 100; index++) response.write(kibibyte);
    response.end();
  },
  joined: (_request, response) => {
    response.writeHead(200, ['Content-Type', 'text/plain']);
    const chunks = [];
    for (let index = 0; index < 100; index++) chunks.push(kibibyte);
    response.end(Buffer.concat(chunks));
  },
};

const applications = {
  hello: (_environ, startResponse) => {
    startResponse('200 OK', [['Content-Type', 'text/plain']]);
    return [body];
  },
  *stream(_environ, startResponse) {
    startResponse('200 OK', [['Content-Type', 'text/plain']]);
    for (let index = 0; index < 100; index++) yield kibibyte;
  },
};

async function listen(kind) {
  if (kind === 'container') {
    const { HTTPServer } = await import('@tsgi/http-server');
    const { WSGIContainer } = await import('../dist/index.js');
    // Access lines dropped, as Tornado's are without a logging handler.
    const logger = { info() {}, warn: console.warn, error: console.error };
    const server = new HTTPServer(new WSGIContainer(applications[workload], { logger }));
    return (await server.listen(0, '127.0.0.1')).port;
  }
  const handler = kind === 'joined' ? rawHandlers.joined : rawHandlers[workload];
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server.address().port;
}

function wrk(port, duration) {
  const output = execFileSync(
    'wrk',
    ['-t1', `-c${connections}`, `-d${duration}s`, `http://127.0.0.1:${port}/`],
    { encoding: 'utf8' },
  );
  if (/Non-2xx|Socket errors/.test(output)) throw new Error(`wrk reported errors:\n${output}`);
  return {
    perSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)[1]),
    requests: Number(/(\d+) requests in/.exec(output)[1]),
  };
}

// wrk runs as a child process, so each server runs in a child of its own, keeping this event loop out of the way.
if (process.argv[6] === 'serve') {
  process.send(await listen(process.argv[7]));
  process.on('message', () => {
    const { user, system } = process.cpuUsage();
    process.send(user + system);
  });
} else {
  const start = (kind) =>
    new Promise((resolve) => {
      const child = fork(new URL(import.meta.url), [workload, '1', '1', kind, 'serve', kind]);
      child.once('message', (port) => resolve({ port, child }));
    });
  const cpu = (child) =>
    new Promise((resolve) => {
      child.once('message', resolve);
      child.send('cpu');
    });
  const results = Object.fromEntries(servers.map((kind) => [kind, { perSecond: [], cpuMicroseconds: [] }]));
  for (let round = 0; round < rounds; round++) {
    for (const kind of servers) {
      const { port, child } = await start(kind);
      wrk(port, 2); // warm-up, not recorded
      const before = await cpu(child);
      const { perSecond, requests } = wrk(port, seconds);
      const used = (await cpu(child)) - before;
      results[kind].perSecond.push(Math.round(perSecond));
      results[kind].cpuMicroseconds.push(Number((used / requests).toFixed(2)));
      child.kill();
    }
  }
  const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const base = results[servers[0]];
  for (const kind of servers) {
    const { perSecond, cpuMicroseconds } = results[kind];
    // Ratios per round (servers measured side by side), then their median; CPU as base ÷ ours (1.0 = as cheap).
    const throughput = median(perSecond.map((value, index) => value / base.perSecond[index]));
    const cpuRatio = median(cpuMicroseconds.map((value, index) => base.cpuMicroseconds[index] / value));
    console.log(
      `${workload} ${kind.padEnd(9)} req/s ${median(perSecond)} [${perSecond.join(' ')}]  ` +
        `µs CPU/request ${median(cpuMicroseconds)} [${cpuMicroseconds.join(' ')}]  ` +
        `vs ${servers[0]}: req/s ×${throughput.toFixed(2)}, CPU ×${cpuRatio.toFixed(2)}`,
    );
  }
}

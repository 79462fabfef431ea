// Hello world on HTTPServer against raw node:http, in the same run (wrk must be on PATH). Reports req/s and, less
// sensitive to a busy machine, the server process's CPU time per request.
// Usage: node bench/hello.mjs [rounds=3] [seconds=5]   (after `pnpm build`)
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { HTTPServer } from '../dist/index.js';

const rounds = Number(process.argv[2] ?? 3);
const seconds = Number(process.argv[3] ?? 5);
const body = Buffer.from('Hello, world!\n');

async function rawServer() {
  const server = createServer((_request, response) => {
    response.writeHead(200, ['Content-Type', 'text/plain', 'Content-Length', String(body.length)]);
    response.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function tsgiServer() {
  const headers = ['Content-Type', 'text/plain', 'Content-Length', String(body.length)];
  const server = new HTTPServer((request) => {
    const connection = request.connection;
    connection.writeHeaders({ code: 200, reason: 'OK' }, headers, body);
    connection.finish();
  });
  const { port } = await server.listen(0, '127.0.0.1');
  return { port, close: () => server.close() };
}

function wrk(port) {
  const output = execFileSync('wrk', ['-t1', '-c50', `-d${seconds}s`, `http://127.0.0.1:${port}/`], {
    encoding: 'utf8',
  });
  return {
    perSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)[1]),
    requests: Number(/(\d+) requests in/.exec(output)[1]),
  };
}

// wrk runs as a child process, so this process's event loop must stay free: run each server in a child.
if (process.argv[4] === 'serve') {
  const { port } = await (process.argv[5] === 'raw' ? rawServer() : tsgiServer());
  process.send(port);
  process.on('message', () => {
    const { user, system } = process.cpuUsage();
    process.send(user + system);
  });
} else {
  const { fork } = await import('node:child_process');
  const start = (kind) =>
    new Promise((resolve) => {
      const child = fork(new URL(import.meta.url), [String(rounds), String(seconds), 'serve', kind]);
      child.once('message', (port) => resolve({ port, child }));
    });
  const cpu = (child) =>
    new Promise((resolve) => {
      child.once('message', resolve);
      child.send('cpu');
    });
  const results = {
    raw: { perSecond: [], cpuMicroseconds: [] },
    tsgi: { perSecond: [], cpuMicroseconds: [] },
  };
  for (let round = 0; round < rounds; round++) {
    for (const kind of ['raw', 'tsgi']) {
      const { port, child } = await start(kind);
      wrk(port); // warm-up, not recorded
      const before = await cpu(child);
      const { perSecond, requests } = wrk(port);
      const used = (await cpu(child)) - before;
      results[kind].perSecond.push(Math.round(perSecond));
      results[kind].cpuMicroseconds.push(Number((used / requests).toFixed(2)));
      child.kill();
    }
  }
  const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const ratio = (key) =>
    results.raw[key].map((raw, index) => Number((results.tsgi[key][index] / raw).toFixed(3)));
  console.log(
    JSON.stringify(
      {
        ...results,
        throughputRatio: { perRound: ratio('perSecond'), median: median(ratio('perSecond')) },
        // raw CPU per request divided by ours: 1.0 means no overhead.
        cpuRatio: {
          perRound: ratio('cpuMicroseconds').map((r) => Number((1 / r).toFixed(3))),
          median: Number((1 / median(ratio('cpuMicroseconds'))).toFixed(3)),
        },
      },
      null,
      1,
    ),
  );
}

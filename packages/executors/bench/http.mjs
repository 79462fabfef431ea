// Requests per second of raw node:http, the inline path and the thread pool, measured with wrk in the same run,
// alternating servers, median of rounds. Usage: node bench/http.mjs [hello|cpu] [rounds] [seconds] [connections]
import { execFileSync, fork } from 'node:child_process';

const [app = 'hello', rounds = '3', seconds = '5', connections = '32'] = process.argv.slice(2);
const modes = ['raw', 'inline', 'thread'];
const results = Object.fromEntries(modes.map((mode) => [mode, []]));

async function measure(mode) {
  const child = fork(new URL('./server.mjs', import.meta.url), [mode, app, '2'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise((resolve) => child.once('message', resolve));
  execFileSync('wrk', ['-t1', '-c', connections, '-d1s', `http://127.0.0.1:${port}/`]); // warm-up
  const output = execFileSync('wrk', [
    '-t1',
    '-c',
    connections,
    `-d${seconds}s`,
    '--latency',
    `http://127.0.0.1:${port}/`,
  ]).toString();
  child.kill();
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]);
  const p99 = /99%\s+(\S+)/.exec(output)?.[1];
  return { rps, p99 };
}

for (let round = 0; round < Number(rounds); round++) {
  for (const mode of modes) {
    const result = await measure(mode);
    results[mode].push(result);
    console.log(`round ${round + 1} ${mode.padEnd(6)} ${result.rps.toFixed(0)} req/s p99 ${result.p99}`);
  }
}
const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
const raw = median(results.raw.map((r) => r.rps));
for (const mode of modes) {
  const rps = median(results[mode].map((r) => r.rps));
  console.log(`${app} ${mode.padEnd(6)} median ${rps.toFixed(0)} req/s = ${(rps / raw).toFixed(2)}x raw`);
}

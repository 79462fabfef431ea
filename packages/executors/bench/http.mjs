// Requests per second of raw node:http, the inline path and the thread pool, measured with wrk in the same run,
// alternating servers, median of rounds. Usage: node bench/http.mjs [hello|cpu] [rounds] [seconds] [connections]
import { execFileSync, fork } from 'node:child_process';

const [app = 'hello', rounds = '3', seconds = '5', connections = '32'] = process.argv.slice(2);
const modes = (process.env.MODES ?? 'raw,inline,thread').split(',');
const results = Object.fromEntries(modes.map((mode) => [mode, []]));

async function measure(mode) {
  const child = fork(new URL('./server.mjs', import.meta.url), [mode, app, '2'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ask = (command) => {
    child.send(command);
    return new Promise((resolve) => child.once('message', resolve));
  };
  const port = await new Promise((resolve) => child.once('message', resolve));
  const url = `http://127.0.0.1:${port}/`;
  execFileSync('wrk', ['-t1', '-c', connections, '-d1s', url]); // warm-up
  await ask('reset');
  const output = execFileSync('wrk', [
    '-t1',
    '-c',
    connections,
    `-d${seconds}s`,
    '--latency',
    url,
  ]).toString();
  const { requests, mainCpuMs } = await ask('report');
  child.kill();
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]);
  const p99 = /99%\s+(\S+)/.exec(output)?.[1];
  return { rps, p99, cpuPerRequest: (mainCpuMs * 1000) / requests };
}

for (let round = 0; round < Number(rounds); round++) {
  for (const mode of modes) {
    const result = await measure(mode);
    results[mode].push(result);
    console.log(
      `round ${round + 1} ${mode.padEnd(6)} ${result.rps.toFixed(0)} req/s p99 ${result.p99} ` +
        `main thread ${result.cpuPerRequest.toFixed(1)} µs CPU/request`,
    );
  }
}
const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
const raw = median(results.raw.map((r) => r.rps));
const rawCpu = median(results.raw.map((r) => r.cpuPerRequest));
for (const mode of modes) {
  const rps = median(results[mode].map((r) => r.rps));
  const cpu = median(results[mode].map((r) => r.cpuPerRequest));
  console.log(
    `${app} ${mode.padEnd(6)} median ${rps.toFixed(0)} req/s = ${(rps / raw).toFixed(2)}x raw; ` +
      `main thread ${cpu.toFixed(1)} µs CPU/request = ${(rawCpu / cpu).toFixed(2)}x raw's ceiling`,
  );
}

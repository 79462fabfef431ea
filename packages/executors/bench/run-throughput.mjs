// Units of work per second through ThreadPoolExecutor.run() with no HTTP around it: the pool's own overhead.
// Usage: node bench/run-throughput.mjs [inFlight] [seconds] [workers]
import { ThreadPoolExecutor } from '../dist/index.js';

const [inFlight = '32', seconds = '3', workers = '2'] = process.argv.slice(2);
const handler = new URL('./handlers.mjs#hello', import.meta.url).href;
const pool = new ThreadPoolExecutor({ maxWorkers: Number(workers), maxQueue: 100_000 });
await pool.load([handler]);

let completed = 0;
let running = true;
const onMessage = () => {};
async function lane() {
  while (running) {
    await pool.run({ handler, payload: { url: '/' }, onMessage });
    completed++;
  }
}
const cpuBefore = process.cpuUsage();
const started = performance.now();
const lanes = Array.from({ length: Number(inFlight) }, lane);
await new Promise((resolve) => setTimeout(resolve, Number(seconds) * 1000));
running = false;
await Promise.all(lanes);
const elapsed = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
await pool.close();
console.log(
  `${(completed / elapsed).toFixed(0)} units/s, ${inFlight} in flight, ${workers} workers; ` +
    `process CPU ${(((cpu.user + cpu.system) / 1e6 / elapsed) * 100).toFixed(0)}%, ` +
    `${((cpu.user + cpu.system) / completed).toFixed(1)} µs CPU per unit (all threads)`,
);

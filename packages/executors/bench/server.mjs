// One benchmark server: `node server.mjs <raw|inline|thread> <hello|cpu> [workers]`; prints its port.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { ThreadPoolExecutor } from '../dist/index.js';
import { cpu, hello } from './handlers.mjs';

const [mode, app, workers = '2'] = process.argv.slice(2);
const reference = new URL(`./handlers.mjs#${app}`, import.meta.url).href;
const handler = app === 'cpu' ? cpu : hello;
const payload = { cpuMs: 5 };

function respond(res, message) {
  res.writeHead(message.status, message.headers.flat());
  res.end(message.body);
}

let listener;
if (mode === 'raw') {
  listener = (_req, res) => {
    if (app === 'cpu') cpu(payload, { send: (m) => respond(res, m) });
    else
      respond(res, {
        status: 200,
        headers: [
          ['Content-Type', 'text/plain'],
          ['Content-Length', '12'],
        ],
        body: 'Hello world!',
      });
  };
} else if (mode === 'inline') {
  listener = (_req, res) => handler(payload, { send: (message) => respond(res, message) });
} else {
  const pool = new ThreadPoolExecutor({ maxWorkers: Number(workers), maxQueue: 100_000 });
  await pool.load([reference]);
  listener = (req, res) => {
    pool
      .run({
        handler: reference,
        payload: { cpuMs: 5, url: req.url },
        onMessage: (message) => respond(res, message),
      })
      .catch((error) => {
        res.statusCode = 500;
        res.end(String(error));
      });
  };
}
let requests = 0;
const counted = (req, res) => {
  requests++;
  listener(req, res);
};
/** CPU time of the main thread alone (Linux): what limits throughput once the workers keep up. */
function mainThreadCpuMs() {
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}
let startCpu = 0;
process.on('message', (command) => {
  if (command === 'reset') {
    requests = 0;
    startCpu = mainThreadCpuMs();
    process.send('reset');
  } else if (command === 'report') process.send({ requests, mainCpuMs: mainThreadCpuMs() - startCpu });
});
const server = createServer(counted);
server.listen(
  0,
  '127.0.0.1',
  () => process.send?.(server.address().port) ?? console.log(server.address().port),
);

/**
 * The slow-reader probe: raw-socket clients request a large streamed response and then stop reading, while we
 * sample the server's resident memory. A server that honours backpressure stays flat; one that buffers the
 * response grows by the response size per client.
 */
import { connect } from 'node:net';
import { delay } from './server-process.mjs';

const mebibyte = 1024 * 1024;

/**
 * @typedef {object} SlowReaderFigures
 * @property {number} baselineMiB    RSS before the clients connected (median of a few samples).
 * @property {number} peakGrowthMiB  Highest RSS while they stalled, minus the baseline.
 * @property {number} receivedMiB    What the clients had taken before they stopped (should be small).
 */

/**
 * @param {import('./server-process.mjs').RunningServer} server
 * @param {{ path: string, clients: number, sampleSeconds: number }} probe
 * @returns {Promise<SlowReaderFigures>}
 */
export async function measureSlowReader(server, probe) {
  const idle = [];
  for (let sample = 0; sample < 5; sample++) {
    idle.push(server.rssBytes());
    await delay(100);
  }
  idle.sort((a, b) => a - b);
  const baseline = /** @type {number} */ (idle[2]);

  let received = 0;
  const sockets = Array.from({ length: probe.clients }, () => {
    const socket = connect({ host: '127.0.0.1', port: server.port });
    socket.on('error', () => {});
    socket.write(`GET ${probe.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    // Read a first bit, as a real client would, then stop: the kernel buffers fill and the server must wait.
    socket.once('data', (chunk) => {
      received += chunk.length;
      socket.pause();
    });
    return socket;
  });

  let peak = baseline;
  const deadline = Date.now() + probe.sampleSeconds * 1000;
  try {
    while (Date.now() < deadline) {
      await delay(50);
      peak = Math.max(peak, server.rssBytes());
    }
  } finally {
    for (const socket of sockets) socket.destroy();
  }
  return {
    baselineMiB: baseline / mebibyte,
    peakGrowthMiB: Math.max(0, peak - baseline) / mebibyte,
    receivedMiB: received / mebibyte,
  };
}

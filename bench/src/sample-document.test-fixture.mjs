/**
 * A small benchmark document for the report and chart tests: raw node:http, inline and thread pool, two
 * rounds, with a skipped peer and a failed round.
 */
import { aggregate } from './results.mjs';
import { evaluateTargets } from './targets.mjs';

/** @type {import('./results.mjs').Measurement[]} */
const measurements = [
  { round: 1, server: 'raw-node', workload: 'hello', requestsPerSecond: 40000, p50Ms: 1, p99Ms: 3 },
  { round: 2, server: 'raw-node', workload: 'hello', requestsPerSecond: 50000, p50Ms: 1, p99Ms: 3 },
  { round: 1, server: 'tsgi-inline', workload: 'hello', requestsPerSecond: 36000, p50Ms: 1.2, p99Ms: 3.5 },
  { round: 2, server: 'tsgi-inline', workload: 'hello', requestsPerSecond: 47500, p50Ms: 1.1, p99Ms: 3.3 },
  { round: 1, server: 'tsgi-thread', workload: 'hello', requestsPerSecond: 20000, p50Ms: 2, p99Ms: 6 },
  { round: 2, server: 'tsgi-thread', workload: 'hello', error: 'did not start: boom' },
  { round: 1, server: 'raw-node', workload: 'responsiveness', p50Ms: 40, p99Ms: 60, requestsPerSecond: 20 },
  {
    round: 1,
    server: 'tsgi-thread',
    workload: 'responsiveness',
    p50Ms: 0.5,
    p99Ms: 2,
    requestsPerSecond: 1500,
  },
  { round: 1, server: 'tsgi-inline', workload: 'slow-reader', peakGrowthMiB: 1.5, baselineMiB: 60 },
];

/** @returns {import('./report.mjs').BenchDocument} */
export function sampleDocument(mode = /** @type {'full' | 'quick'} */ ('full')) {
  return {
    mode,
    startedAt: '2026-11-22T07:00:00Z',
    elapsedSeconds: 100,
    incomplete: false,
    machine: {
      cores: 2,
      cpuModel: 'Test CPU <fast> & "small"',
      memory: '24.0 GiB',
      os: 'Linux 6',
      node: '20.20.2',
      python: '3.11.2',
      tornado: '6.2',
      gunicorn: '20.1.0',
      wrk: 'wrk 4.1.0',
      loadBefore: 0.3,
      loadAfter: 2.1,
      note: 'The 2 cores are shared by the server under test and the load generator.',
    },
    settings: {
      rounds: 2,
      durationSeconds: 3,
      warmupSeconds: 1,
      cpuUpdates: 530,
      cpuMilliseconds: 5.01,
      slowReaderRounds: 2,
      slowReaderClients: 4,
      largeMiB: 256,
      slowReaderSampleSeconds: 3,
    },
    skipped: [{ server: 'tornado', reason: 'python3-tornado is not installed' }],
    servers: ['raw-node', 'tsgi-inline', 'tsgi-thread'],
    measurements,
    results: aggregate(measurements),
    targets: evaluateTargets(measurements),
  };
}

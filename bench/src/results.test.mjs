import { describe, expect, test } from 'vitest';
import { aggregate, pairedRatio } from './results.mjs';

/** @type {import('./results.mjs').Measurement[]} */
const measurements = [
  { round: 1, server: 'raw-node', workload: 'hello', requestsPerSecond: 1000, p50Ms: 1, p99Ms: 4 },
  { round: 1, server: 'tsgi-inline', workload: 'hello', requestsPerSecond: 900, p50Ms: 1.5, p99Ms: 4 },
  { round: 2, server: 'raw-node', workload: 'hello', requestsPerSecond: 500, p50Ms: 2, p99Ms: 8 },
  { round: 2, server: 'tsgi-inline', workload: 'hello', requestsPerSecond: 400, p50Ms: 2, p99Ms: 10 },
  { round: 3, server: 'raw-node', workload: 'hello', requestsPerSecond: 800, p50Ms: 1, p99Ms: 5 },
  { round: 3, server: 'tsgi-inline', workload: 'hello', error: 'server did not start' },
];

describe('pairedRatio', () => {
  test('divides by the baseline of the same round, then takes the median and spread', () => {
    const ratio = pairedRatio(measurements, 'hello', 'tsgi-inline', 'raw-node', 'requestsPerSecond');
    expect(ratio?.values).toEqual([0.9, 0.8]);
    expect(ratio?.median).toBeCloseTo(0.85);
    expect([ratio?.min, ratio?.max]).toEqual([0.8, 0.9]);
  });
  test('is undefined when no round measured both', () => {
    expect(pairedRatio(measurements, 'hello', 'tornado', 'raw-node', 'requestsPerSecond')).toBeUndefined();
    expect(pairedRatio(measurements, 'echo', 'tsgi-inline', 'raw-node', 'requestsPerSecond')).toBeUndefined();
  });
  test('pairs by round, not by position: a drifting machine does not skew the ratio', () => {
    const drifting = [
      { round: 2, server: 'raw-node', workload: 'cpu', requestsPerSecond: 100 },
      { round: 1, server: 'raw-node', workload: 'cpu', requestsPerSecond: 200 },
      { round: 1, server: 'tsgi-thread', workload: 'cpu', requestsPerSecond: 400 },
      { round: 2, server: 'tsgi-thread', workload: 'cpu', requestsPerSecond: 200 },
    ];
    expect(pairedRatio(drifting, 'cpu', 'tsgi-thread', 'raw-node', 'requestsPerSecond')?.values).toEqual([
      2, 2,
    ]);
  });
});

describe('aggregate', () => {
  const results = aggregate(measurements);
  test('summarizes each metric per workload and server, leaving failed rounds out', () => {
    expect(results.hello?.['tsgi-inline']?.metrics.requestsPerSecond).toEqual({
      median: 650,
      min: 400,
      max: 900,
      values: [900, 400],
    });
    expect(results.hello?.['raw-node']?.metrics.p99Ms?.median).toBe(5);
  });
  test('keeps why a round failed', () => {
    expect(results.hello?.['tsgi-inline']?.errors).toEqual(['round 3: server did not start']);
  });
  test('gives ratios to raw node:http, and raw node:http a ratio of 1', () => {
    expect(results.hello?.['tsgi-inline']?.ratioToRaw.p50Ms?.median).toBe(1.25);
    expect(results.hello?.['raw-node']?.ratioToRaw.requestsPerSecond?.median).toBe(1);
  });
});

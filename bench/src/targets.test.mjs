import { describe, expect, test } from 'vitest';
import { evaluateTargets, flatMemoryMiB } from './targets.mjs';

/** @param {string} server @param {string} workload @param {number} round @param {object} figures */
const m = (server, workload, round, figures) => ({ server, workload, round, ...figures });

/** @param {import('./targets.mjs').TargetResult[]} results @param {string} id */
const byId = (results, id) => results.find((result) => result.id === id);

describe('evaluateTargets', () => {
  test('every target is "not measured" when nothing was', () => {
    const results = evaluateTargets([]);
    expect(results).toHaveLength(17);
    expect(results.every((result) => result.status === 'not measured')).toBe(true);
  });

  test('a ratio target is met at or above its threshold, with the paired ratio as the figure', () => {
    const results = evaluateTargets([
      m('raw-node', 'hello', 1, { requestsPerSecond: 1000 }),
      m('tsgi-inline', 'hello', 1, { requestsPerSecond: 900 }),
      m('raw-node', 'hello', 2, { requestsPerSecond: 1000 }),
      m('tsgi-inline', 'hello', 2, { requestsPerSecond: 950 }),
      m('tsgi-thread', 'hello', 1, { requestsPerSecond: 500 }),
      m('tsgi-thread', 'hello', 2, { requestsPerSecond: 550 }),
    ]);
    expect(byId(results, 'inline-hello')).toMatchObject({
      status: 'met',
      measured: 0.925,
      min: 0.9,
      max: 0.95,
    });
    expect(byId(results, 'thread-hello')).toMatchObject({ status: 'missed', measured: 0.525 });
  });

  test("the native handler's targets compare tsgi-native with raw, workload by workload", () => {
    const results = evaluateTargets([
      m('raw-node', 'stream', 1, { requestsPerSecond: 1000 }),
      m('tsgi-native', 'stream', 1, { requestsPerSecond: 1100 }),
      m('tsgi-inline', 'stream', 1, { requestsPerSecond: 1900 }),
      m('raw-node', 'echo', 1, { requestsPerSecond: 1000 }),
      m('tsgi-native', 'echo', 1, { requestsPerSecond: 800 }),
    ]);
    expect(byId(results, 'native-stream')).toMatchObject({ status: 'met', measured: 1.1 });
    expect(byId(results, 'inline-stream')).toMatchObject({ status: 'missed', measured: 1.9 });
    expect(byId(results, 'native-echo')).toMatchObject({ status: 'missed', measured: 0.8 });
    expect(byId(results, 'native-hello')?.status).toBe('not measured');
  });

  test('thread-pool cpu is compared with inline and with gunicorn, not with raw', () => {
    const results = evaluateTargets([
      m('tsgi-inline', 'cpu', 1, { requestsPerSecond: 200 }),
      m('tsgi-thread', 'cpu', 1, { requestsPerSecond: 370 }),
      m('gunicorn', 'cpu', 1, { requestsPerSecond: 380 }),
      m('raw-node', 'cpu', 1, { requestsPerSecond: 100 }),
    ]);
    expect(byId(results, 'thread-cpu')).toMatchObject({ status: 'met', measured: 1.85 });
    expect(byId(results, 'thread-cpu-gunicorn')?.status).toBe('missed');
  });

  test('thread-pool echo has to beat raw by half and gunicorn by half again', () => {
    const results = evaluateTargets([
      m('raw-node', 'echo', 1, { requestsPerSecond: 1000 }),
      m('gunicorn', 'echo', 1, { requestsPerSecond: 300 }),
      m('tsgi-thread', 'echo', 1, { requestsPerSecond: 480 }),
    ]);
    expect(byId(results, 'thread-echo')).toMatchObject({ status: 'missed', measured: 0.48 });
    expect(byId(results, 'thread-echo-gunicorn')).toMatchObject({ status: 'met', measured: 1.6 });
  });

  test('the Flask targets pair tsgi --python with gunicorn and Tornado round by round; start-up is a median', () => {
    const results = evaluateTargets([
      m('gunicorn-flask', 'flask-hello', 1, { requestsPerSecond: 1000 }),
      m('tornado-flask', 'flask-hello', 1, { requestsPerSecond: 800 }),
      m('tsgi-flask', 'flask-hello', 1, { requestsPerSecond: 1100, startupSeconds: 6 }),
      m('gunicorn-flask', 'flask-hello', 2, { requestsPerSecond: 2000 }),
      m('tornado-flask', 'flask-hello', 2, { requestsPerSecond: 1000 }),
      m('tsgi-flask', 'flask-hello', 2, { requestsPerSecond: 1800, startupSeconds: 12 }),
    ]);
    expect(byId(results, 'flask-hello-gunicorn')).toMatchObject({ status: 'met', measured: 1 });
    expect(byId(results, 'flask-hello-tornado')).toMatchObject({ status: 'met', measured: 1.5875 });
    expect(byId(results, 'flask-startup')).toMatchObject({ status: 'met', measured: 9 });
  });

  test('latency and memory targets are met at or below their threshold', () => {
    const results = evaluateTargets([
      m('tsgi-thread', 'responsiveness', 1, { p99Ms: 4 }),
      m('tsgi-thread', 'responsiveness', 2, { p99Ms: 7 }),
      m('tsgi-inline', 'slow-reader', 1, { peakGrowthMiB: 3 }),
      m('tsgi-thread', 'slow-reader', 1, { peakGrowthMiB: flatMemoryMiB + 1 }),
      m('tornado', 'slow-reader', 1, { peakGrowthMiB: 1000 }),
    ]);
    expect(byId(results, 'thread-responsiveness')).toMatchObject({ status: 'missed', measured: 5.5 });
    // The worst tsgi server decides; Tornado's buffering is not ours to meet.
    expect(byId(results, 'slow-reader-flat')).toMatchObject({
      status: 'missed',
      measured: flatMemoryMiB + 1,
    });
  });

  test('a failed round does not count', () => {
    const results = evaluateTargets([
      m('raw-node', 'stream', 1, { requestsPerSecond: 100 }),
      m('tsgi-inline', 'stream', 1, { error: 'crashed' }),
    ]);
    expect(byId(results, 'inline-stream')?.status).toBe('not measured');
  });
});

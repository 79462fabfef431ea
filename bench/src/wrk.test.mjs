import { describe, expect, test } from 'vitest';
import { parseWrkReport, reportProblem, reportScript, wrkArguments } from './wrk.mjs';

const sample =
  'Running 1s test @ http://127.0.0.1:18123/\n  1 threads and 4 connections\nRequests/sec:  60949.99\n' +
  'BENCH_JSON {"requests":61053,"durationUs":1001690,"bytes":7692678,' +
  '"errors":{"connect":0,"read":0,"write":0,"status":0,"timeout":0},' +
  '"latencyUs":{"p50":54,"p90":153,"p99":3144,"max":5710,"mean":178.4}}\n';

describe('parseWrkReport', () => {
  test('reads requests/s and latency percentiles in milliseconds from the Lua done() line', () => {
    const report = parseWrkReport(sample);
    expect(report.requests).toBe(61053);
    expect(report.durationSeconds).toBeCloseTo(1.00169);
    expect(report.requestsPerSecond).toBeCloseTo(61053 / 1.00169, 3);
    expect(report.latency).toEqual({ p50Ms: 0.054, p90Ms: 0.153, p99Ms: 3.144, maxMs: 5.71, meanMs: 0.1784 });
    expect(report.errors).toEqual({ connect: 0, read: 0, write: 0, status: 0, timeout: 0 });
  });

  test('fails clearly when wrk printed no report (the script did not load)', () => {
    expect(() => parseWrkReport('Running 1s test\nRequests/sec: 1\n')).toThrow(/no BENCH_JSON line/);
  });

  test('refuses a report with a missing or negative field', () => {
    expect(() => parseWrkReport(sample.replace('"p99":3144', '"p99":-1'))).toThrow(/latencyUs.p99/);
    expect(() => parseWrkReport(sample.replace('"requests":61053,', ''))).toThrow(/requests/);
  });

  test('refuses a zero duration (requests/s would be infinite)', () => {
    expect(() => parseWrkReport(sample.replace('"durationUs":1001690', '"durationUs":0'))).toThrow(
      /zero duration/,
    );
  });
});

describe('reportProblem', () => {
  const clean = parseWrkReport(sample);
  test('a clean run has no problem', () => {
    expect(reportProblem(clean)).toBeUndefined();
  });
  test('non-2xx answers, timeouts and connect errors spoil a run', () => {
    expect(reportProblem({ ...clean, errors: { ...clean.errors, status: 3 } })).toMatch(/3 responses/);
    expect(reportProblem({ ...clean, errors: { ...clean.errors, timeout: 1 } })).toMatch(/timed out/);
    expect(reportProblem({ ...clean, errors: { ...clean.errors, connect: 2 } })).toMatch(
      /connections failed/,
    );
    expect(reportProblem({ ...clean, requests: 0 })).toMatch(/no request/);
  });
  test('read errors alone do not (gunicorn closes every connection after answering)', () => {
    expect(reportProblem({ ...clean, errors: { ...clean.errors, read: 500 } })).toBeUndefined();
  });
});

describe('wrkArguments', () => {
  test('one thread, whole seconds, our report script, the URL last', () => {
    expect(wrkArguments({ url: 'http://127.0.0.1:8000/hello', connections: 50, durationSeconds: 3 })).toEqual(
      [
        '--threads=1',
        '--connections=50',
        '--duration=3s',
        '--timeout=10s',
        `--script=${reportScript}`,
        'http://127.0.0.1:8000/hello',
      ],
    );
  });
  test('never more threads than connections', () => {
    expect(
      wrkArguments({ url: 'http://127.0.0.1:1/', connections: 1, durationSeconds: 1, threads: 2 })[0],
    ).toBe('--threads=1');
  });
  test('refuses any host but 127.0.0.1', () => {
    expect(() => wrkArguments({ url: 'http://10.0.0.1:80/', connections: 1, durationSeconds: 1 })).toThrow(
      /only target 127.0.0.1/,
    );
  });
});

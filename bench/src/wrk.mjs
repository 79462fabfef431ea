/**
 * wrk, the load generator: the command line for one run, and the JSON line our Lua `done()` prints.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const reportScript = fileURLToPath(new URL('../wrk/report.lua', import.meta.url));

const marker = 'BENCH_JSON ';

/**
 * @typedef {object} WrkRun
 * @property {string} url             Always on 127.0.0.1.
 * @property {number} connections
 * @property {number} durationSeconds
 * @property {number} [threads]       Default 1: the box has 2 cores and the server needs one.
 * @property {number} [bodyBytes]     > 0 makes every request a POST with this many bytes.
 */

/**
 * @typedef {object} WrkReport
 * @property {number} requests
 * @property {number} durationSeconds
 * @property {number} requestsPerSecond
 * @property {number} bytes
 * @property {{ p50Ms: number, p90Ms: number, p99Ms: number, maxMs: number, meanMs: number }} latency
 * @property {{ connect: number, read: number, write: number, status: number, timeout: number }} errors
 *   `status` counts responses that were not 2xx/3xx.
 */

/**
 * The arguments for one wrk run.
 * @param {WrkRun} run
 * @returns {string[]}
 */
export function wrkArguments(run) {
  const { hostname } = new URL(run.url);
  if (hostname !== '127.0.0.1') throw new Error(`benchmarks only target 127.0.0.1, not ${hostname}`);
  const connections = Math.max(1, Math.round(run.connections));
  const threads = Math.min(run.threads ?? 1, connections);
  return [
    `--threads=${threads}`,
    `--connections=${connections}`,
    `--duration=${Math.max(1, Math.round(run.durationSeconds))}s`,
    '--timeout=10s',
    `--script=${reportScript}`,
    run.url,
  ];
}

/**
 * Finds and checks the JSON line our Lua `done()` printed.
 * @param {string} output  wrk's standard output.
 * @returns {WrkReport}
 */
export function parseWrkReport(output) {
  const line = output.split('\n').find((candidate) => candidate.startsWith(marker));
  if (line === undefined) throw new Error(`wrk printed no ${marker.trim()} line:\n${output.slice(0, 2000)}`);
  /** @type {any} */
  const raw = JSON.parse(line.slice(marker.length));
  const number = (/** @type {unknown} */ value, /** @type {string} */ name) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new Error(`wrk report field ${name} is not a non-negative number: ${JSON.stringify(value)}`);
    }
    return value;
  };
  const durationUs = number(raw.durationUs, 'durationUs');
  if (durationUs === 0) throw new Error('wrk report has a zero duration');
  const requests = number(raw.requests, 'requests');
  const latency = raw.latencyUs ?? {};
  const errors = raw.errors ?? {};
  return {
    requests,
    durationSeconds: durationUs / 1e6,
    requestsPerSecond: requests / (durationUs / 1e6),
    bytes: number(raw.bytes, 'bytes'),
    latency: {
      p50Ms: number(latency.p50, 'latencyUs.p50') / 1000,
      p90Ms: number(latency.p90, 'latencyUs.p90') / 1000,
      p99Ms: number(latency.p99, 'latencyUs.p99') / 1000,
      maxMs: number(latency.max, 'latencyUs.max') / 1000,
      meanMs: number(latency.mean, 'latencyUs.mean') / 1000,
    },
    errors: {
      connect: number(errors.connect, 'errors.connect'),
      read: number(errors.read, 'errors.read'),
      write: number(errors.write, 'errors.write'),
      status: number(errors.status, 'errors.status'),
      timeout: number(errors.timeout, 'errors.timeout'),
    },
  };
}

/**
 * The errors of a report that make its figures meaningless: any non-2xx/3xx answer, timeout or connect error.
 * Read errors are not counted: gunicorn's sync workers close every connection after the response, which wrk
 * reports as read errors although every request was answered.
 * @param {WrkReport} report
 * @returns {string | undefined}
 */
export function reportProblem(report) {
  if (report.requests === 0) return 'no request completed';
  const { status, timeout, connect } = report.errors;
  if (status > 0) return `${status} responses were not 2xx/3xx`;
  if (timeout > 0) return `${timeout} requests timed out`;
  if (connect > 0) return `${connect} connections failed`;
  return undefined;
}

/**
 * Runs wrk to the end (it stops by itself after the duration) and parses its report.
 * @param {string} wrkPath
 * @param {WrkRun} run
 * @returns {Promise<WrkReport>}
 */
export function runWrk(wrkPath, run) {
  return new Promise((resolve, reject) => {
    const child = spawn(wrkPath, wrkArguments(run), {
      env: { ...process.env, BENCH_BODY_BYTES: String(run.bodyBytes ?? 0) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let errorOutput = '';
    child.stdout.setEncoding('utf8').on('data', (text) => {
      output += text;
    });
    child.stderr.setEncoding('utf8').on('data', (text) => {
      errorOutput += text;
    });
    // wrk ends by itself; this only guards against a wrk that hangs on a server that never answers.
    const guard = setTimeout(() => child.kill('SIGKILL'), (run.durationSeconds + 20) * 1000);
    child.on('error', (error) => {
      clearTimeout(guard);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      if (code !== 0) {
        reject(new Error(`wrk exited with ${signal ?? code}: ${errorOutput || output}`.trim()));
        return;
      }
      try {
        resolve(parseWrkReport(output));
      } catch (error) {
        reject(error);
      }
    });
  });
}

/**
 * One round of one server: a fresh process, measured, stopped.
 */

import { workloads } from './catalogue.mjs';
import { formatMs, formatRate } from './report.mjs';
import { startServer } from './server-process.mjs';
import { measureSlowReader } from './slow-reader.mjs';
import { reportProblem, runWrk } from './wrk.mjs';

/** @typedef {import('./results.mjs').Measurement} Measurement */
/** @typedef {import('./catalogue.mjs').ServerName} ServerName */

/**
 * @typedef {object} MeasureContext
 * @property {string} wrk
 * @property {import('./options.mjs').BenchOptions} options
 * @property {(message: string) => void} log
 */

/**
 * One fresh server process, every load workload on it: a warm-up run, then the measured run.
 * @param {ServerName} name
 * @param {import('./server-process.mjs').ServerCommand} command
 * @param {number} round
 * @param {import('./catalogue.mjs').WorkloadName[]} names
 * @param {MeasureContext} context
 * @returns {Promise<Measurement[]>}
 */
export async function measureLoad(name, command, round, names, { wrk, options, log }) {
  let server;
  try {
    server = await startServer(command);
  } catch (error) {
    log(`[round ${round}] ${name}: did not start: ${error}`);
    return names.map((workload) => ({
      round,
      server: name,
      workload,
      error: `did not start: ${firstLine(error)}`,
    }));
  }
  /** @type {Measurement[]} */
  const measured = [];
  try {
    for (const workload of names) {
      const definition = /** @type {import('./catalogue.mjs').LoadWorkload} */ (workloads[workload]);
      const url = (/** @type {string} */ path) => `http://127.0.0.1:${server.port}${path}`;
      const durationSeconds = Math.max(options.durationSeconds, definition.minimumSeconds ?? 0);
      const run = {
        url: url(definition.path),
        connections: definition.connections,
        bodyBytes: definition.bodyBytes ?? 0,
      };
      try {
        if (options.warmupSeconds > 0) await runWrk(wrk, { ...run, durationSeconds: options.warmupSeconds });
        let background;
        if (definition.background) {
          background = runWrk(wrk, {
            url: url(definition.background.path),
            connections: definition.background.connections,
            durationSeconds: durationSeconds + 1,
          });
          // Let the CPU backlog build up before the trivial route is measured.
          await new Promise((done) => setTimeout(done, 400));
        }
        const [report, backgroundReport] = await Promise.all([
          runWrk(wrk, { ...run, durationSeconds }),
          background,
        ]);
        const problem = reportProblem(report) ?? (backgroundReport && reportProblem(backgroundReport));
        /** @type {Measurement} */
        const measurement = {
          round,
          server: name,
          workload,
          requestsPerSecond: report.requestsPerSecond,
          p50Ms: report.latency.p50Ms,
          p99Ms: report.latency.p99Ms,
          ...(backgroundReport ? { backgroundRequestsPerSecond: backgroundReport.requestsPerSecond } : {}),
          ...(problem ? { error: problem } : {}),
        };
        measured.push(measurement);
        log(
          `[round ${round}] ${name.padEnd(11)} ${workload.padEnd(14)} ${formatRate(report.requestsPerSecond).padStart(7)} req/s` +
            `  p50 ${formatMs(report.latency.p50Ms)} ms  p99 ${formatMs(report.latency.p99Ms)} ms` +
            (backgroundReport
              ? `  (cpu meanwhile ${formatRate(backgroundReport.requestsPerSecond)} req/s)`
              : '') +
            (problem ? `  PROBLEM: ${problem}` : ''),
        );
      } catch (error) {
        log(`[round ${round}] ${name} ${workload}: failed: ${error}\n${server.output().slice(-1000)}`);
        measured.push({ round, server: name, workload, error: firstLine(error) });
      }
    }
  } finally {
    await server.stop();
  }
  return measured;
}

/**
 * A fresh server, warmed with a few hello requests, then the slow readers.
 * @param {ServerName} name
 * @param {import('./server-process.mjs').ServerCommand} command
 * @param {number} round
 * @param {MeasureContext} context
 * @returns {Promise<Measurement>}
 */
export async function measureSlowReaderRound(name, command, round, { wrk, options, log }) {
  const workload = 'slow-reader';
  let server;
  try {
    server = await startServer(command);
  } catch (error) {
    return { round, server: name, workload, error: `did not start: ${firstLine(error)}` };
  }
  try {
    await runWrk(wrk, { url: `http://127.0.0.1:${server.port}/hello`, connections: 4, durationSeconds: 1 });
    const figures = await measureSlowReader(server, {
      path: workloads['slow-reader'].path,
      clients: options.slowReaderClients,
      sampleSeconds: options.slowReaderSampleSeconds,
    });
    log(
      `[round ${round}] ${name.padEnd(11)} ${workload.padEnd(14)} peak RSS growth ${figures.peakGrowthMiB.toFixed(1)} MiB` +
        ` (idle ${figures.baselineMiB.toFixed(1)} MiB)`,
    );
    return {
      round,
      server: name,
      workload,
      peakGrowthMiB: figures.peakGrowthMiB,
      baselineMiB: figures.baselineMiB,
    };
  } catch (error) {
    log(`[round ${round}] ${name} ${workload}: failed: ${error}`);
    return { round, server: name, workload, error: firstLine(error) };
  } finally {
    await server.stop();
  }
}

/** @param {unknown} error */
function firstLine(error) {
  return String(error instanceof Error ? error.message : error).split('\n')[0] ?? '';
}

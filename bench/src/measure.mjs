/**
 * One measurement: a fresh server process, one workload on it, then the process is stopped.
 */
import { workloads } from './catalogue.mjs';
import { formatMs, formatRate } from './report.mjs';
import { delay, startServer } from './server-process.mjs';
import { measureSlowReader } from './slow-reader.mjs';
import { reportProblem, runWrk } from './wrk.mjs';

/** @typedef {import('./results.mjs').Measurement} Measurement */

/**
 * @typedef {object} MeasureContext
 * @property {string} wrk
 * @property {import('./options.mjs').BenchOptions} options
 * @property {(message: string) => void} log
 */

/**
 * @param {import('./catalogue.mjs').ServerName} server
 * @param {import('./server-process.mjs').ServerCommand} command
 * @param {number} round
 * @param {import('./catalogue.mjs').WorkloadName} workload
 * @param {MeasureContext} context
 * @returns {Promise<Measurement>}
 */
export async function measure(server, command, round, workload, context) {
  const prefix = `[round ${round}] ${server.padEnd(11)} ${workload.padEnd(14)}`;
  let running;
  const spawnedAt = performance.now();
  try {
    running = await startServer(command);
  } catch (error) {
    context.log(`${prefix} did not start: ${error}`);
    return { round, server, workload, error: `did not start: ${firstLine(error)}` };
  }
  try {
    const definition = workloads[workload];
    const figures =
      definition.kind === 'slow-reader'
        ? await slowReader(running, context)
        : await load(running, definition, context, await firstAnswer(running, definition, spawnedAt));
    context.log(`${prefix} ${figures.summary}`);
    return { round, server, workload, ...figures.measurement };
  } catch (error) {
    context.log(`${prefix} failed: ${error}\n${running.output().slice(-1000)}`);
    return { round, server, workload, error: firstLine(error) };
  } finally {
    await running.stop();
  }
}

/**
 * The workload's request once, as soon as the server listens: start-up to first answer, in seconds from the
 * spawn (for tsgi --python this covers loading every interpreter and the application).
 * @param {import('./server-process.mjs').RunningServer} server
 * @param {import('./catalogue.mjs').LoadWorkload} definition
 * @param {number} spawnedAt  performance.now() at the spawn
 */
async function firstAnswer(server, definition, spawnedAt) {
  const body = definition.bodyBytes ? new Uint8Array(definition.bodyBytes) : undefined;
  const response = await fetch(`http://127.0.0.1:${server.port}${definition.path}`, {
    method: body ? 'POST' : 'GET',
    body,
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`the first request got ${response.status}`);
  return (performance.now() - spawnedAt) / 1000;
}

/**
 * A warm-up run (unless --quick), then the measured run; with a background load when the workload has one.
 * @param {import('./server-process.mjs').RunningServer} server
 * @param {import('./catalogue.mjs').LoadWorkload} definition
 * @param {MeasureContext} context
 * @param {number} startupSeconds  from firstAnswer()
 */
async function load(server, definition, { wrk, options }, startupSeconds) {
  const url = (/** @type {string} */ path) => `http://127.0.0.1:${server.port}${path}`;
  const durationSeconds = Math.max(options.durationSeconds, definition.minimumSeconds ?? 0);
  const run = {
    url: url(definition.path),
    connections: definition.connections,
    bodyBytes: definition.bodyBytes ?? 0,
  };
  const warmupSeconds =
    options.warmupSeconds > 0 ? Math.max(options.warmupSeconds, definition.warmupSeconds ?? 0) : 0;
  if (warmupSeconds > 0) await runWrk(wrk, { ...run, durationSeconds: warmupSeconds });
  let background;
  if (definition.background) {
    background = runWrk(wrk, {
      url: url(definition.background.path),
      connections: definition.background.connections,
      durationSeconds: durationSeconds + 1,
    });
    // Let the CPU backlog build up before the trivial route is measured.
    await delay(400);
  }
  const [report, backgroundReport] = await Promise.all([
    runWrk(wrk, { ...run, durationSeconds }),
    background,
  ]);
  const problem = reportProblem(report) ?? (backgroundReport && reportProblem(backgroundReport));
  return {
    measurement: {
      startupSeconds,
      requestsPerSecond: report.requestsPerSecond,
      p50Ms: report.latency.p50Ms,
      p99Ms: report.latency.p99Ms,
      ...(backgroundReport ? { backgroundRequestsPerSecond: backgroundReport.requestsPerSecond } : {}),
      ...(problem ? { error: problem } : {}),
    },
    summary:
      `${formatRate(report.requestsPerSecond).padStart(7)} req/s  p50 ${formatMs(report.latency.p50Ms)} ms` +
      `  p99 ${formatMs(report.latency.p99Ms)} ms` +
      (backgroundReport ? `  (cpu meanwhile ${formatRate(backgroundReport.requestsPerSecond)} req/s)` : '') +
      (problem ? `  PROBLEM: ${problem}` : ''),
  };
}

/**
 * A few requests so the idle RSS is taken after start-up work, then the stalled clients.
 * @param {import('./server-process.mjs').RunningServer} server
 * @param {MeasureContext} context
 */
async function slowReader(server, { options }) {
  for (let request = 0; request < 20; request++) {
    const response = await fetch(`http://127.0.0.1:${server.port}${request % 2 ? '/hello' : '/stream'}`);
    await response.arrayBuffer();
  }
  const figures = await measureSlowReader(server, {
    path: workloads['slow-reader'].path,
    clients: options.slowReaderClients,
    sampleSeconds: options.slowReaderSampleSeconds,
  });
  return {
    measurement: { peakGrowthMiB: figures.peakGrowthMiB, baselineMiB: figures.baselineMiB },
    summary: `peak RSS growth ${figures.peakGrowthMiB.toFixed(1)} MiB (idle ${figures.baselineMiB.toFixed(1)} MiB)`,
  };
}

/** @param {unknown} error */
function firstLine(error) {
  return String(error instanceof Error ? error.message : error).split('\n')[0] ?? '';
}

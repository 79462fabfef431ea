#!/usr/bin/env node
/**
 * `pnpm bench`: measures tsgi against raw node:http, Tornado's WSGIContainer and gunicorn in one run, prints
 * the table, and saves bench/results/latest.{json,md,svg}. See bench/README.md for the method.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calibrateCpu, pythonCpuMilliseconds } from './calibration.mjs';
import { serverNames, workloads } from './catalogue.mjs';
import { renderChart } from './chart.mjs';
import { describeMachine } from './machine.mjs';
import { parseOptions, usage } from './options.mjs';
import { updateReadme } from './readme-table.mjs';
import { formatMs, formatRate, markdownReport } from './report.mjs';
import { aggregate } from './results.mjs';
import { roundOrder } from './schedule.mjs';
import { startServer } from './server-process.mjs';
import { serverCommand, tsgiUnavailableReason } from './servers.mjs';
import { measureSlowReader } from './slow-reader.mjs';
import { evaluateTargets } from './targets.mjs';
import { detectTools } from './tools.mjs';
import { reportProblem, runWrk } from './wrk.mjs';

/** @typedef {import('./results.mjs').Measurement} Measurement */
/** @typedef {import('./catalogue.mjs').ServerName} ServerName */

const benchDirectory = fileURLToPath(new URL('../', import.meta.url));

/** Servers still running, so an interrupted run stops them. */
/** @type {Set<import('./server-process.mjs').RunningServer>} */
const running = new Set();

/** @param {string} message */
const log = (message) => process.stderr.write(`${message}\n`);

/**
 * @param {import('./server-process.mjs').ServerCommand} command
 */
async function start(command) {
  const server = await startServer(command);
  running.add(server);
  return server;
}

/** @param {import('./server-process.mjs').RunningServer} server */
async function stop(server) {
  await server.stop();
  running.delete(server);
}

async function main() {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    log(String(error instanceof Error ? error.message : error));
    return 2;
  }
  if (options.help) {
    console.log(usage);
    return 0;
  }
  if (options.install) spawnSync('bash', [resolve(benchDirectory, 'ensure-tools.sh')], { stdio: 'inherit' });
  const tools = detectTools();
  if (!tools.wrk) {
    log('bench: wrk is not installed, so nothing can be measured (apt-get install -y wrk).');
    return 1;
  }

  const startedAt = new Date();
  const deadline = startedAt.getTime() + options.budgetSeconds * 1000;
  const cpu = calibrateCpu(5);
  const pythonCpu = tools.python ? pythonCpuMilliseconds(tools.python, cpu.updates) : undefined;
  log(
    `bench: cpu workload = ${cpu.updates} sha256 updates of 16 KiB = ${cpu.milliseconds.toFixed(2)} ms in Node` +
      (pythonCpu ? `, ${pythonCpu.toFixed(2)} ms in Python` : ''),
  );
  /** @type {Record<string, string>} */
  const env = {
    BENCH_CPU_UPDATES: String(cpu.updates),
    BENCH_LARGE_BYTES: String(options.largeBytes),
    NODE_ENV: 'production',
    PYTHONDONTWRITEBYTECODE: '1',
  };

  /** @type {{ server: string, reason: string }[]} */
  const skipped = [];
  /** @type {Map<ServerName, import('./server-process.mjs').ServerCommand>} */
  const commands = new Map();
  for (const name of options.servers) {
    const tsgiUnavailable =
      name === 'tsgi-native' || name === 'tsgi-inline' || name === 'tsgi-thread'
        ? await tsgiUnavailableReason(name)
        : undefined;
    const command = serverCommand(name, { tools, env, cpuProfile: options.cpuProfile, tsgiUnavailable });
    if ('unavailable' in command) {
      skipped.push({ server: name, reason: command.unavailable });
      log(`bench: skipping ${name}: ${command.unavailable}`);
    } else {
      commands.set(name, command);
    }
  }
  if (options.cpuProfile) mkdirSync(resolve(benchDirectory, 'profiles'), { recursive: true });

  const loadWorkloads = options.workloads.filter((name) => workloads[name].kind === 'load');
  const slowReader = options.workloads.includes('slow-reader');
  const servers = serverNames.filter((name) => commands.has(name));
  /** @type {Measurement[]} */
  const measurements = [];
  let incomplete = false;

  rounds: for (let round = 1; round <= options.rounds; round++) {
    for (const name of roundOrder(servers, round)) {
      if (Date.now() > deadline) {
        incomplete = true;
        log(`bench: the ${options.budgetSeconds} s budget is spent; reporting what was measured`);
        break rounds;
      }
      const command = /** @type {import('./server-process.mjs').ServerCommand} */ (commands.get(name));
      if (loadWorkloads.length > 0) {
        measurements.push(...(await measureLoad(name, command, round, loadWorkloads, options, tools.wrk)));
      }
      if (slowReader && round <= options.slowReaderRounds) {
        measurements.push(await measureSlowReaderRound(name, command, round, options, tools.wrk));
      }
    }
  }

  const document = {
    mode: options.mode,
    startedAt: startedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    elapsedSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    incomplete,
    machine: describeMachine(tools),
    settings: {
      rounds: options.rounds,
      durationSeconds: options.durationSeconds,
      warmupSeconds: options.warmupSeconds,
      cpuUpdates: cpu.updates,
      cpuMilliseconds: Number(cpu.milliseconds.toFixed(2)),
      pythonCpuMilliseconds: pythonCpu === undefined ? 'not measured' : Number(pythonCpu.toFixed(2)),
      slowReaderRounds: options.slowReaderRounds,
      slowReaderClients: options.slowReaderClients,
      largeMiB: options.largeBytes / (1024 * 1024),
      slowReaderSampleSeconds: options.slowReaderSampleSeconds,
      wrkThreads: 1,
    },
    skipped,
    servers,
    measurements,
    results: aggregate(measurements),
    targets: evaluateTargets(measurements),
  };
  const report = markdownReport(document);
  const outDirectory = resolve(options.outDirectory ?? resolve(benchDirectory, 'results'));
  mkdirSync(outDirectory, { recursive: true });
  writeFileSync(resolve(outDirectory, 'latest.json'), `${JSON.stringify(document, null, 2)}\n`);
  writeFileSync(resolve(outDirectory, 'latest.md'), report);
  writeFileSync(resolve(outDirectory, 'latest.svg'), renderChart(document));
  // The committed results and the root README's table go together; a run written elsewhere leaves both alone.
  if (outDirectory === resolve(benchDirectory, 'results'))
    updateReadme(resolve(benchDirectory, '../README.md'), document);
  console.log(report);
  log(
    `bench: finished in ${document.elapsedSeconds} s; saved latest.json, latest.md, latest.svg in ${outDirectory}`,
  );
  return 0;
}

/**
 * One fresh server process, every load workload on it: a warm-up run, then the measured run.
 * @param {ServerName} name
 * @param {import('./server-process.mjs').ServerCommand} command
 * @param {number} round
 * @param {import('./catalogue.mjs').WorkloadName[]} names
 * @param {import('./options.mjs').BenchOptions} options
 * @param {string} wrk
 * @returns {Promise<Measurement[]>}
 */
async function measureLoad(name, command, round, names, options, wrk) {
  let server;
  try {
    server = await start(command);
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
    await stop(server);
  }
  return measured;
}

/**
 * A fresh server, warmed with a few hello requests, then the slow readers.
 * @param {ServerName} name
 * @param {import('./server-process.mjs').ServerCommand} command
 * @param {number} round
 * @param {import('./options.mjs').BenchOptions} options
 * @param {string} wrk
 * @returns {Promise<Measurement>}
 */
async function measureSlowReaderRound(name, command, round, options, wrk) {
  const workload = 'slow-reader';
  let server;
  try {
    server = await start(command);
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
    await stop(server);
  }
}

/** @param {unknown} error */
function firstLine(error) {
  return String(error instanceof Error ? error.message : error).split('\n')[0] ?? '';
}

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => {
    log(`bench: ${signal}: stopping ${running.size} server(s)`);
    void Promise.all([...running].map((server) => server.stop())).finally(() => process.exit(130));
  });
}

process.exitCode = await main();

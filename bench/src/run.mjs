#!/usr/bin/env node
/**
 * `pnpm bench`: measures tsgi against raw node:http, Tornado's WSGIContainer and gunicorn in one run, prints
 * the table, and saves bench/results/latest.{json,md,svg}. See bench/README.md for the method.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeServerCommand, beforeSuffix, prepareBeforeCommit } from './before-commit.mjs';
import { calibrateCpu, pythonCpuMilliseconds } from './calibration.mjs';
import { serverNames, servesWorkload } from './catalogue.mjs';
import { renderChart } from './chart.mjs';
import { describeMachine, loadAverage } from './machine.mjs';
import { measure } from './measure.mjs';
import { parseOptions, usage } from './options.mjs';
import { updateReadme } from './readme-table.mjs';
import { markdownReport } from './report.mjs';
import { aggregate } from './results.mjs';
import { roundOrder } from './schedule.mjs';
import { stopAllServers } from './server-process.mjs';
import { serverCommand, tsgiUnavailableReason } from './servers.mjs';
import { evaluateTargets } from './targets.mjs';
import { detectTools } from './tools.mjs';

/** @typedef {import('./results.mjs').Measurement} Measurement */
/** @typedef {import('./catalogue.mjs').ServerName} ServerName */

const benchDirectory = fileURLToPath(new URL('../', import.meta.url));

/** @param {string} message */
const log = (message) => process.stderr.write(`${message}\n`);

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

  const loadBefore = loadAverage();
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
  /** @type {Map<string, import('./server-process.mjs').ServerCommand>} */
  const commands = new Map();
  for (const name of options.servers) {
    const tsgiUnavailable =
      name === 'tsgi-native' || name === 'tsgi-inline' || name === 'tsgi-thread' || name === 'tsgi-flask'
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
  let before;
  if (options.before !== undefined) {
    try {
      before = prepareBeforeCommit(options.before, log);
    } catch (error) {
      log(String(error instanceof Error ? error.message : error));
      return 1;
    }
    for (const name of options.servers) {
      if (
        commands.has(name) &&
        (name === 'tsgi-native' || name === 'tsgi-inline' || name === 'tsgi-thread' || name === 'tsgi-flask')
      ) {
        commands.set(
          `${name}${beforeSuffix}`,
          beforeServerCommand(before, name, { env, cpuProfile: options.cpuProfile }),
        );
      }
    }
  }
  if (options.cpuProfile) mkdirSync(resolve(benchDirectory, 'profiles'), { recursive: true });

  // Each before server right after its counterpart, so tables read before/after side by side.
  const servers = serverNames.flatMap((name) =>
    [name, `${name}${beforeSuffix}`].filter((server) => commands.has(server)),
  );
  /** @type {Measurement[]} */
  const measurements = [];
  let incomplete = false;
  const context = { wrk: tools.wrk, options, log };

  // Within a round, one workload at a time on every server back to back: the figures a ratio compares are
  // taken seconds apart, not minutes, on a machine whose load comes and goes.
  rounds: for (let round = 1; round <= options.rounds; round++) {
    for (const workload of options.workloads) {
      if (workload === 'slow-reader' && round > options.slowReaderRounds) continue;
      const serving = servers.filter((server) => servesWorkload(server, workload));
      // raw node:http alone on a Flask workload measures nothing worth a comparison.
      if (workload.startsWith('flask-') && serving.length < 2) continue;
      for (const name of roundOrder(serving, round)) {
        if (Date.now() > deadline) {
          incomplete = true;
          log(`bench: the ${options.budgetSeconds} s budget is spent; reporting what was measured`);
          break rounds;
        }
        const command = /** @type {import('./server-process.mjs').ServerCommand} */ (commands.get(name));
        measurements.push(await measure(/** @type {ServerName} */ (name), command, round, workload, context));
      }
    }
  }

  const document = {
    mode: options.mode,
    startedAt: startedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    elapsedSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    incomplete,
    machine: describeMachine(tools, { before: loadBefore, after: loadAverage() }),
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
    before: before === undefined ? undefined : { ref: before.ref, commit: before.commit },
    servers,
    measurements,
    results: aggregate(measurements),
    targets: evaluateTargets(measurements),
  };
  const report = markdownReport(document);
  const outDirectory = resolve(
    options.outDirectory ?? resolve(benchDirectory, before === undefined ? 'results' : 'results/before'),
  );
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

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => {
    log(`bench: ${signal}: stopping the servers`);
    void stopAllServers().finally(() => process.exit(130));
  });
}

process.exitCode = await main();

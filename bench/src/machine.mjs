/**
 * The machine description saved beside the figures: they mean little without it.
 */
import { availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';

/** The 1-minute load average, rounded: how busy the machine was besides the benchmark. */
export function loadAverage() {
  return Number((loadavg()[0] ?? 0).toFixed(1));
}

/**
 * @param {import('./tools.mjs').Tools} tools
 * @param {{ before: number, after: number }} load  1-minute load averages when the run started and ended
 * @returns {Record<string, string | number>}
 */
export function describeMachine(tools, load) {
  const cores = availableParallelism();
  return {
    cores,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    os: `${type()} ${release()}`,
    node: process.versions.node,
    python: tools.pythonVersion ?? 'absent',
    tornado: tools.tornado ?? 'absent',
    gunicorn: tools.gunicorn ?? 'absent',
    flask: tools.flask ?? 'absent',
    wrk: tools.wrkVersion ?? 'absent',
    loadBefore: load.before,
    loadAfter: load.after,
    note:
      `The ${cores} cores are shared by the server under test and the load generator (wrk, 1 thread), ` +
      'so absolute figures are low and noisy: compare the ratios taken in the same run.',
  };
}

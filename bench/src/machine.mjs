/**
 * The machine description saved beside the figures: they mean little without it.
 */
import { availableParallelism, cpus, release, totalmem, type } from 'node:os';

/**
 * @param {import('./tools.mjs').Tools} tools
 * @returns {Record<string, string | number>}
 */
export function describeMachine(tools) {
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
    wrk: tools.wrkVersion ?? 'absent',
    note:
      `The ${cores} cores are shared by the server under test and the load generator (wrk, 1 thread), ` +
      'so absolute figures are low and noisy: compare the ratios taken in the same run.',
  };
}

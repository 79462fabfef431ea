/**
 * Calibrates the `cpu` workload so that one request really burns ~5 ms of sha256 on this machine.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { burnCpu } from '../servers/workload.mjs';

/** @param {() => void} work */
function milliseconds(work) {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * The number of 16 KiB sha256 updates that take `targetMs`, and what that many measured.
 * The fastest of several tries: on a loaded machine the slower ones measure the other processes.
 * @param {number} [targetMs]
 */
export function calibrateCpu(targetMs = 5) {
  const probe = 64;
  let fastest = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < 15; attempt++)
    fastest = Math.min(
      fastest,
      milliseconds(() => burnCpu(probe)),
    );
  const updates = Math.max(1, Math.round((targetMs / fastest) * probe));
  let check = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < 5; attempt++)
    check = Math.min(
      check,
      milliseconds(() => burnCpu(updates)),
    );
  return { updates, milliseconds: check };
}

/**
 * How long the same work takes in Python (the Python peers' own cost of one `cpu` request), or undefined.
 * @param {string} python
 * @param {number} updates
 */
export function pythonCpuMilliseconds(python, updates) {
  const appDirectory = fileURLToPath(new URL('../servers/', import.meta.url));
  try {
    const printed = execFileSync(
      python,
      [
        '-c',
        'import sys, time\nsys.path.insert(0, sys.argv[1])\nimport app\nbest = 1e9\n' +
          'for _ in range(5):\n    start = time.perf_counter()\n    app.burn_cpu(int(sys.argv[2]))\n' +
          '    best = min(best, time.perf_counter() - start)\nprint(best * 1000)',
        appDirectory,
        String(updates),
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    return Number(printed.trim());
  } catch {
    return undefined;
  }
}

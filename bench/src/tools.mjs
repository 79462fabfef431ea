/**
 * Finds the outside tools the benchmark drives, and their versions for the machine description.
 */
import { execFileSync } from 'node:child_process';

/**
 * @typedef {object} Tools
 * @property {string | undefined} wrk          Path to wrk.
 * @property {string | undefined} wrkVersion
 * @property {string | undefined} python       A Python 3 that imports tornado or gunicorn (Debian's first).
 * @property {string | undefined} pythonVersion
 * @property {string | undefined} tornado      Tornado's version, when that Python has it.
 * @property {string | undefined} gunicorn     gunicorn's version, when that Python has it.
 * @property {string | undefined} flask        Flask's version, when that Python has it (Debian's python3-flask).
 */

/**
 * @param {string} command
 * @param {string[]} args
 */
function output(command, args) {
  try {
    return execFileSync(command, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 10_000,
    }).trim();
  } catch (error) {
    // `wrk -v` prints its version and exits 1.
    const stdout = /** @type {{ stdout?: string }} */ (error).stdout;
    return stdout ? stdout.trim() : undefined;
  }
}

/** @returns {Tools} */
export function detectTools() {
  const wrk = output('sh', ['-c', 'command -v wrk']) || undefined;
  const wrkVersion = wrk ? output(wrk, ['-v'])?.split('\n')[0]?.split(' Copyright')[0] : undefined;
  // Debian's python3-tornado and gunicorn live beside /usr/bin/python3, not in a pyenv or venv python3.
  for (const python of ['/usr/bin/python3', 'python3']) {
    const probe = output(python, [
      '-c',
      'import platform, importlib\n' +
        'def version(name):\n' +
        '    try:\n' +
        '        module = importlib.import_module(name)\n' +
        '        return getattr(module, "version", None) or getattr(module, "__version__", "")\n' +
        '    except ImportError:\n' +
        '        return ""\n' +
        'print(platform.python_version(), version("tornado") or "-", version("gunicorn") or "-",\n' +
        '      version("flask") or "-")',
    ]);
    if (!probe) continue;
    const [pythonVersion, tornado, gunicorn, flask] = probe.split(' ');
    if (tornado === '-' && gunicorn === '-') continue;
    return {
      wrk,
      wrkVersion,
      python,
      pythonVersion,
      tornado: tornado === '-' ? undefined : tornado,
      gunicorn: gunicorn === '-' ? undefined : gunicorn,
      flask: flask === '-' || flask === undefined ? undefined : flask,
    };
  }
  return {
    wrk,
    wrkVersion,
    python: undefined,
    pythonVersion: undefined,
    tornado: undefined,
    gunicorn: undefined,
    flask: undefined,
  };
}

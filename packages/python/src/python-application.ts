/**
 * `pythonApplication()`: names a Python WSGI application as a module reference any executor can load. The
 * reference is the gateway module's URL with the configuration in it; each thread that imports it loads its
 * own interpreter.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { configURL, type GatewayConfig, type ResolvedMount } from './config.js';

/** A host directory to show inside the interpreter. */
export interface PythonMount {
  /** The directory on the host (relative paths resolve from the current directory). */
  readonly hostPath: string;
  /** Where the interpreter sees it (absolute). Default: the same path as on the host. */
  readonly path?: string;
  /** Let the application write there. Default: read-only. */
  readonly writable?: boolean;
}

export interface PythonApplicationOptions {
  /**
   * The application's working directory, first on `sys.path` (gunicorn's `--chdir`). Mounted read-only.
   * Default: the current directory.
   */
  readonly chdir?: string;
  /** More directories for `sys.path`, in order, after `chdir` (gunicorn's `--pythonpath`). Mounted read-only. */
  readonly path?: readonly string[];
  /** Other host directories the application needs (data, templates elsewhere, a writable upload folder). */
  readonly mounts?: readonly (string | PythonMount)[];
  /** `os.environ`. Default: this process's environment, with `HOME` set to the interpreter's own. */
  readonly env?: Readonly<Record<string, string>>;
}

/** `module`, `package.module`, then optionally `:name`, `:name.attribute` or `:factory(literal, …)`. */
const applicationSpec = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*(:.+)?$/;

const gatewayModule = new URL('../dist/python-gateway.js', import.meta.url);

function directory(path: string, what: string): string {
  const absolute = resolve(path);
  let isDirectory = false;
  try {
    isDirectory = statSync(absolute).isDirectory();
  } catch {
    throw new Error(`${what} ${absolute} does not exist`);
  }
  if (!isDirectory) throw new Error(`${what} ${absolute} is not a directory`);
  return absolute;
}

function pyodideDirectory(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('pyodide/package.json'));
  } catch {
    throw new Error(
      'pyodide is not installed: @tsgi/python runs Python on the npm package pyodide (npm install pyodide@0.29)',
    );
  }
}

function resolveMounts(
  chdir: string,
  path: readonly string[],
  mounts: readonly (string | PythonMount)[],
): ResolvedMount[] {
  const byPath = new Map<string, ResolvedMount>();
  const add = (mount: ResolvedMount) => {
    if (mount.path === '/') {
      throw new Error(
        `Cannot mount ${mount.hostPath} at /: it would hide the interpreter's standard library`,
      );
    }
    const existing = byPath.get(mount.path);
    if (existing !== undefined && existing.hostPath !== mount.hostPath) {
      throw new Error(`Two directories mounted at ${mount.path}: ${existing.hostPath} and ${mount.hostPath}`);
    }
    byPath.set(mount.path, { ...mount, writable: mount.writable || (existing?.writable ?? false) });
  };
  for (const entry of [chdir, ...path]) add({ hostPath: entry, path: entry, writable: false });
  for (const mount of mounts) {
    const given = typeof mount === 'string' ? { hostPath: mount } : mount;
    const hostPath = directory(given.hostPath, 'Mounted directory');
    const at = given.path ?? hostPath;
    if (!isAbsolute(at)) throw new Error(`A mount's path inside the interpreter must be absolute, got ${at}`);
    add({ hostPath, path: resolve(at), writable: given.writable === true });
  }
  return [...byPath.values()];
}

/**
 * Names the Python WSGI application `app` (`"module:callable"`, as gunicorn takes it; `callable` defaults to
 * `application`) as a module reference for `WSGIContainer`:
 *
 * ```js
 * new WSGIContainer(pythonApplication('hello:app', { chdir: './site' }), { executor: new ThreadPoolExecutor() })
 * ```
 *
 * Checks here, at once, what can be checked without Python: the spec's shape, that pyodide is installed and
 * that the directories exist. The module itself is imported by each thread when the executor loads it.
 */
export function pythonApplication(app: string, options: PythonApplicationOptions = {}): URL {
  if (typeof app !== 'string' || !applicationSpec.test(app)) {
    throw new TypeError(
      `A Python application is "module:callable" (like gunicorn's "myproject.wsgi:application"), got ${JSON.stringify(app)}`,
    );
  }
  const chdir = directory(options.chdir ?? process.cwd(), 'The Python working directory');
  const path = (options.path ?? []).map((entry) => directory(entry, 'The Python path entry'));
  const config: GatewayConfig = {
    app,
    chdir,
    path,
    mounts: resolveMounts(chdir, path, options.mounts ?? []),
    pyodide: pyodideDirectory(),
    env: options.env === undefined ? null : { ...options.env },
  };
  return configURL(gatewayModule, config);
}

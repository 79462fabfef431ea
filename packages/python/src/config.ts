/**
 * What the main thread tells each thread's gateway: the application and the interpreter's filesystem. It
 * travels in the gateway module's URL (`python-gateway.js?config=…`), so each configuration is its own module
 * instance, imported once per thread by the executor like any application module.
 */

/** A host directory visible inside the interpreter. */
export interface ResolvedMount {
  /** Absolute path on the host. */
  readonly hostPath: string;
  /** Absolute path inside the interpreter (by default the same as `hostPath`). */
  readonly path: string;
  readonly writable: boolean;
}

export interface GatewayConfig {
  /** `module:callable`, as gunicorn takes it. */
  readonly app: string;
  /** The working directory inside the interpreter; first on `sys.path`. */
  readonly chdir: string;
  /** More `sys.path` entries, after `chdir`. */
  readonly path: readonly string[];
  readonly mounts: readonly ResolvedMount[];
  /** The directory of the `pyodide` npm package. */
  readonly pyodide: string;
  /** `os.environ`; `null` means the thread's `process.env`. */
  readonly env: Readonly<Record<string, string>> | null;
}

const parameter = 'config';

export function configURL(module: URL, config: GatewayConfig): URL {
  const url = new URL(module);
  url.searchParams.set(parameter, JSON.stringify(config));
  return url;
}

export function configFromURL(url: string): GatewayConfig {
  const text = new URL(url).searchParams.get(parameter);
  if (text === null) {
    throw new Error(
      '@tsgi/python: import the gateway through pythonApplication(), which puts the configuration in its URL',
    );
  }
  return JSON.parse(text) as GatewayConfig;
}

/**
 * Loads one Python interpreter (Pyodide) for the thread it runs on: the host directories mounted, the working
 * directory and `sys.path` set, `gateway.py` installed, and the application imported.
 */
import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PythonBridge, type PythonBuffer, type PythonCallable, stagingSize } from './bridge.js';
import type { GatewayConfig } from './config.js';
import { type EmscriptenModule, installDirectCalls } from './direct-calls.js';
import { PythonLoadError } from './errors.js';
import { type EmscriptenFS, mountDirectories } from './filesystem.js';
import gatewaySource from './gateway.py';

/** The members of the Pyodide API used here. */
interface Pyodide {
  FS: EmscriptenFS & { writeFile(path: string, data: string): void };
  runPython(code: string, options?: { globals?: unknown }): unknown;
  toPy(value: unknown): unknown;
  /** Emscripten's module (not in Pyodide's public API: its members are checked before use). */
  _module?: EmscriptenModule;
}

type LoadPyodide = (options: Record<string, unknown>) => Promise<Pyodide>;

const gatewayPath = '/lib/tsgi/_tsgi_gateway.py';

/** Imports `gateway.py` as the module `_tsgi_gateway`, after setting the working directory and `sys.path`. */
const bootstrap = `
import importlib.util, os, sys

def bootstrap(chdir, path, gateway_path):
    os.chdir(chdir)
    sys.path[0:0] = [chdir, *path]
    spec = importlib.util.spec_from_file_location("_tsgi_gateway", gateway_path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["_tsgi_gateway"] = module
    spec.loader.exec_module(module)
    return module

bootstrap
`;

async function importPyodide(directory: string): Promise<LoadPyodide> {
  try {
    const module = (await import(pathToFileURL(join(directory, 'pyodide.mjs')).href)) as {
      loadPyodide: LoadPyodide;
    };
    return module.loadPyodide;
  } catch (error) {
    throw new PythonLoadError(
      `pyodide did not load from ${directory} (${String(error)}); reinstall it: npm install pyodide@0.29`,
    );
  }
}

function pythonEnvironment(config: GatewayConfig): Record<string, string> {
  if (config.env !== null) return { ...config.env };
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  // The host's home directory is not visible inside the interpreter; its own is.
  env.HOME = '/home/pyodide';
  return env;
}

function lines(stream: NodeJS.WriteStream): { batched: (text: string) => void } {
  return { batched: (text) => void stream.write(`${text}\n`) };
}

/**
 * Loads an interpreter and the application. `onFatal` is called (before the error is rethrown) when a later
 * request kills the interpreter.
 */
export async function loadInterpreter(
  config: GatewayConfig,
  onFatal: (error: unknown) => void,
): Promise<PythonBridge> {
  const loadPyodide = await importPyodide(config.pyodide);
  const pyodide = await loadPyodide({
    indexURL: config.pyodide.endsWith(sep) ? config.pyodide : config.pyodide + sep,
    env: pythonEnvironment(config),
    stdout: lines(process.stdout).batched,
    stderr: lines(process.stderr).batched,
  });
  installDirectCalls(pyodide._module ?? {});
  try {
    mountDirectories(pyodide.FS, config.mounts);
  } catch (error) {
    throw new PythonLoadError((error as Error).message);
  }
  pyodide.FS.mkdirTree('/lib/tsgi');
  pyodide.FS.writeFile(gatewayPath, gatewaySource);
  const scope = pyodide.toPy({});
  const start = pyodide.runPython(bootstrap, { globals: scope }) as PythonCallable;
  const gatewayModule = start(config.chdir, config.path, gatewayPath) as { install: PythonCallable };
  const staging = pyodide.runPython(`bytearray(${stagingSize})`, { globals: scope }) as PythonBuffer;

  const bridge = new PythonBridge(staging, onFatal);
  let failure: PythonLoadError | undefined;
  const gateway = gatewayModule.install(
    config.app,
    bridge.functions,
    staging,
    (message: string, detail: string) => {
      failure = new PythonLoadError(detail ? `${message}\n${detail}` : message);
    },
  ) as Record<'call' | 'next_chunk' | 'close_response' | 'failure', PythonCallable> | undefined;
  if (gateway === undefined || failure !== undefined) {
    throw failure ?? new PythonLoadError(`${config.app} did not load`);
  }
  bridge.attach({
    call: gateway.call,
    next_chunk: gateway.next_chunk,
    close_response: gateway.close_response,
    failure: gateway.failure,
  });
  return bridge;
}

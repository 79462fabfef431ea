#!/usr/bin/env node
/** The `tsgi` executable. Exit status: 0 after a clean shutdown, 1 when serving fails, 2 for bad usage. */
import cluster from 'node:cluster';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveModuleReference } from '@tsgi/executors';
import { CommanderError } from 'commander';
import { writePidFile } from './pid-file.js';
import { createProgram } from './program.js';
import { describeStartFailure, serve } from './serve.js';
import { handleSignals } from './signals.js';
import { ServeUsageError } from './usage-error.js';
import { watchFiles } from './watch-files.js';

function fail(message: string, exitCode: number, detail?: string): never {
  if (detail !== undefined) process.stderr.write(`${detail}\n`);
  process.stderr.write(`tsgi: error: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(exitCode);
}

const log = (message: string) => process.stderr.write(`[${process.pid}] ${message}\n`);

const program = createProgram(async (options) => {
  const worker = cluster.isWorker;
  // The pid file names the process to signal: the primary when there are worker processes.
  const removePidFile = options.pid !== undefined && !worker ? writePidFile(options.pid) : undefined;
  let serving: Awaited<ReturnType<typeof serve>>;
  try {
    serving = await serve(options);
  } catch (error) {
    removePidFile?.();
    throw error;
  }
  handleSignals(serving, worker, { log, ...(removePidFile ? { onExit: removePidFile } : {}) });
  if (options.reload && serving.supervisor) {
    // A Python application's files are under its working directory; a JavaScript one's beside its module.
    const module = options.python ? undefined : new URL(resolveModuleReference(options.app).url);
    const directory = options.python
      ? resolve(options.python.chdir ?? '.')
      : module?.protocol === 'file:'
        ? fileURLToPath(new URL('.', module))
        : undefined;
    if (directory !== undefined) {
      watchFiles(directory, (file) => {
        log(`${relative(process.cwd(), file) || file} changed: reloading`);
        serving.reload().then(
          () => log('reloaded'),
          (error: unknown) =>
            log(`reload failed, the running version keeps serving: ${(error as Error).message}`),
        );
      });
    }
  }
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander printed its message already; help and version are successes.
    const success = error.code === 'commander.helpDisplayed' || error.code === 'commander.version';
    process.exit(success ? 0 : 2);
  }
  const { message, detail } = describeStartFailure(error);
  fail(message, error instanceof ServeUsageError ? 2 : 1, detail);
}

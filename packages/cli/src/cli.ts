#!/usr/bin/env node
/** The `tsgi` executable. Exit status: 0 after a clean shutdown, 1 when serving fails, 2 for bad usage. */
import { closeOnSignals } from '@tsgi/http-server';
import { CommanderError } from 'commander';
import { createProgram } from './program.js';
import { describeStartFailure, ServeUsageError, serve } from './serve.js';

function fail(message: string, exitCode: number, detail?: string): never {
  if (detail !== undefined) process.stderr.write(`${detail}\n`);
  process.stderr.write(`tsgi: error: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(exitCode);
}

const program = createProgram(async (options) => {
  const serving = await serve(options);
  // SIGTERM/SIGINT: drain (the server waits up to --graceful-timeout), release the threads, exit 0.
  closeOnSignals({ close: () => serving.close() }, { timeoutMs: options.gracefulTimeout });
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

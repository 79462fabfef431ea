/** Runs the built `tsgi` command as a user would: `node dist/cli.js …`. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Exit, type ListeningProcess, startListening } from '../../../test-support/listening-process.js';

export const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
export const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Runs `tsgi` to completion (for flags that make it exit at once). */
export function runTsgi(args: readonly string[]): Exit & { stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `tsgi serve <args> --port 0` and resolves once it prints where it listens. */
export function serveTsgi(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ListeningProcess> {
  return startListening([cli, 'serve', ...args, '--port', '0'], env);
}

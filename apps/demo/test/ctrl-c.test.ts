/**
 * Ctrl-C on the demo started through pnpm, as a person stops it. A terminal sends SIGINT to its whole foreground
 * process group — pnpm and the demo — and pnpm forwards it to its script as well, so the test starts the command
 * in a process group of its own and signals the group. (`pnpm start` here runs the same `exec node …` step as the
 * root `pnpm demo`, without the turbo build before it, which would rewrite other tests' `dist` files.)
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const demoDirectory = fileURLToPath(new URL('..', import.meta.url));

/** The environment of a person's shell: nothing pnpm or the test runner configured for the package manager. */
function plainEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')),
  );
}

it('pnpm start stops on Ctrl-C with a shutdown line, and pnpm prints no ELIFECYCLE error', async () => {
  const guestbook = join(mkdtempSync(join(tmpdir(), 'tsgi-demo-ctrl-c-')), 'guestbook.jsonl');
  const child = spawn(
    'npx',
    ['--yes', 'pnpm@10.34.9', 'start', '--port', '0', '--workers', '1', '--guestbook', guestbook],
    { cwd: demoDirectory, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: plainEnvironment() },
  );
  let output = '';
  const listening = new Promise<void>((resolve) => {
    const onData = (data: Buffer) => {
      output += data.toString();
      if (output.includes('Listening at:')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  try {
    await Promise.race([
      listening,
      exited.then(([code, signal]) => {
        throw new Error(`exited (${code ?? signal}) before listening:\n${output}`);
      }),
    ]);
    process.kill(-child.pid!, 'SIGINT');
    const [code, signal] = await exited;
    expect(output).toMatch(/\] Shutting down: finishing requests in flight[^\n]*\n(.*\n)*.*\] Stopped\n/);
    expect(output).not.toMatch(/ELIFECYCLE|ERR_PNPM|Command failed/);
    // npx reports an interrupted command as 130 (128 + SIGINT), as a shell does; pnpm itself exits 0.
    expect({ code, signal }).toSatisfy(
      ({ code, signal }: { code: number | null; signal: string | null }) =>
        code === 0 || code === 130 || signal === 'SIGINT',
    );
  } finally {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  }
}, 60_000);

/**
 * Test support shared by the packages whose tests start a real server as a user would (`node dist/….js`):
 * spawn it, wait for its gunicorn-style `Listening at: <url>` line, stop it with a signal.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ListeningProcess {
  /** The URL the process printed after `Listening at:`. */
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything printed so far, stdout and stderr together. */
  output(): string;
  /** Sends `signal` (unless the process already ended) and resolves with how it ended. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/**
 * Runs `node <args>` (in `cwd`, default this process's) and resolves once it says where it listens; rejects if it
 * exits or stays silent.
 */
export function startListening(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 30_000,
  cwd?: string,
): Promise<ListeningProcess> {
  const child = spawn(process.execPath, args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let output = '';
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no "Listening at:" line within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = /Listening at: ((?:https?:\/\/|unix:)\S+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        url: match[1]!,
        child,
        output: () => output,
        stop: (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}

/** Starts the built demo (`node dist/main.js`) as a user would, on a free port, and stops it again. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const main = new URL('../dist/main.js', import.meta.url);

export interface DemoProcess {
  /** `http://127.0.0.1:<port>`, as the demo printed it. */
  readonly url: string;
  readonly child: ChildProcess;
  readonly guestbookFile: string;
  /** Everything printed so far, stdout and stderr. */
  output(): string;
  /** Sends `signal` and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startDemo(args: readonly string[] = [], timeoutMs = 30_000): Promise<DemoProcess> {
  const guestbookFile = join(mkdtempSync(join(tmpdir(), 'tsgi-demo-test-')), 'guestbook.jsonl');
  const child = spawn(
    process.execPath,
    [main.pathname, '--port', '0', '--guestbook', guestbookFile, ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the demo did not say where it listens within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = /Listening at: (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1]!,
          child,
          guestbookFile,
          output: () => output,
          stop: (signal = 'SIGTERM') => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}

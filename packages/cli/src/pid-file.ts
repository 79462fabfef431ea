/** `--pid FILE`: the serving process's id, written at start and removed at exit (gunicorn's `--pid`). */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Writes this process's id to `path`. A file naming a live process is an error (a second server with the same
 * pid file); one left by a process that is gone is replaced.
 */
export function writePidFile(path: string): () => void {
  let previous: number | undefined;
  try {
    previous = Number(readFileSync(path, 'utf8').trim());
  } catch {}
  if (previous !== undefined && Number.isInteger(previous) && previous > 0 && previous !== process.pid) {
    if (alive(previous)) throw new Error(`${path} names process ${previous}, which is still running`);
  }
  writeFileSync(path, `${process.pid}\n`);
  return () => {
    try {
      if (Number(readFileSync(path, 'utf8').trim()) === process.pid) rmSync(path, { force: true });
    } catch {}
  };
}

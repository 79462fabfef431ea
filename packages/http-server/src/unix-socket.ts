import { chmod, lstat, unlink } from 'node:fs/promises';
import { connect } from 'node:net';

/** Resolves true when something accepts a connection on the Unix socket at `path`. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') resolve(false);
      else reject(error);
    });
  });
}

/**
 * Makes `path` free for a new Unix socket: a socket file left by a server that is gone (nothing accepts on it) is
 * removed; a socket some server still answers on, or a file that is not a socket, is an error and left alone.
 */
export async function claimSocketPath(path: string): Promise<void> {
  let kind: Awaited<ReturnType<typeof lstat>>;
  try {
    kind = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (!kind.isSocket()) throw new Error(`cannot listen on ${path}: it exists and is not a socket`);
  if (await answers(path)) throw new Error(`cannot listen on ${path}: another server is listening on it`);
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/** Sets the socket file's permission bits (the umask decided them at creation). */
export function setSocketMode(path: string, mode: number): Promise<void> {
  return chmod(path, mode);
}

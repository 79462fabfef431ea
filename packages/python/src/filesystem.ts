/**
 * The interpreter's view of the host: only the directories the configuration names, each mounted at its
 * path (Emscripten's NODEFS), read-only unless asked otherwise. Everything else the interpreter sees is its own
 * in-memory filesystem (the standard library, `/tmp`, `/home/pyodide`).
 */
import type { ResolvedMount } from './config.js';

/** The members of Emscripten's `FS` used here. */
export interface EmscriptenFS {
  mkdirTree(path: string): void;
  mount(type: unknown, options: { root: string }, mountpoint: string): unknown;
  filesystems: { NODEFS: NodeFS };
  ErrnoError: new (errno: number) => Error;
}

interface NodeFS {
  mount(mount: unknown): FSNode;
  node_ops: Record<string, (...args: never[]) => unknown>;
  stream_ops: Record<string, (...args: never[]) => unknown>;
}

interface FSNode {
  node_ops: unknown;
  stream_ops: unknown;
}

interface FSStream {
  flags: number;
}

/** Emscripten's errno for "read-only file system". */
const EROFS = 69;
/** O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND, as Emscripten numbers them. */
const writeFlags = 1 | 2 | 64 | 512 | 1024;

/**
 * NODEFS with every change refused (EROFS): the same node and stream operations, except those that create,
 * remove, rename, change attributes, or open for writing. Python sees `OSError: [Errno 69] Read-only file
 * system` (and simply skips writing `__pycache__`).
 */
function readOnlyNodeFS(FS: EmscriptenFS): unknown {
  const NODEFS = FS.filesystems.NODEFS;
  const refuse = (): never => {
    throw new FS.ErrnoError(EROFS);
  };
  const protect = (node: FSNode): FSNode => {
    node.node_ops = nodeOps;
    node.stream_ops = streamOps;
    return node;
  };
  const nodeOps = {
    ...NODEFS.node_ops,
    lookup: (parent: never, name: never) => protect(NODEFS.node_ops.lookup!(parent, name) as FSNode),
    mknod: refuse,
    rename: refuse,
    unlink: refuse,
    rmdir: refuse,
    symlink: refuse,
    setattr: refuse,
  };
  const streamOps = {
    ...NODEFS.stream_ops,
    open: (stream: FSStream) => {
      if (stream.flags & writeFlags) refuse();
      return NODEFS.stream_ops.open!(stream as never);
    },
    write: refuse,
    setattr: refuse,
  };
  return { mount: (mount: unknown) => protect(NODEFS.mount(mount)) };
}

/** Mounts each directory, parents before children (a child inside a parent's mount is mounted over it). */
export function mountDirectories(FS: EmscriptenFS, mounts: readonly ResolvedMount[]): void {
  const readOnly = readOnlyNodeFS(FS);
  const ordered = [...mounts].sort((a, b) => a.path.length - b.path.length);
  const mounted = new Set<string>();
  for (const { hostPath, path, writable } of ordered) {
    if (mounted.has(path)) continue;
    mounted.add(path);
    try {
      FS.mkdirTree(path);
      FS.mount(writable ? FS.filesystems.NODEFS : readOnly, { root: hostPath }, path);
    } catch (error) {
      const errno = (error as { errno?: number }).errno;
      throw new Error(
        `Cannot mount ${hostPath} at ${path} in the Python interpreter` +
          (errno === EROFS
            ? ': its parent is a read-only mount without that directory'
            : `: ${String(error)}`),
      );
    }
  }
}

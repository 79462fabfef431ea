/**
 * `--reload`: watches a directory tree for changes to the application's files. One non-recursive `fs.watch` per
 * directory (Node 20's `recursive` on Linux walks and watches everything, node_modules included); directories
 * named `node_modules` or starting with `.` are left out; new directories are watched as they appear.
 */
import { type FSWatcher, readdirSync, statSync, watch } from 'node:fs';
import { join } from 'node:path';

const watchedFile = /\.(?:[cm]?js|json|[cm]?ts|py)$/;

function skipped(name: string): boolean {
  return name === 'node_modules' || name.startsWith('.');
}

/** Calls `onChange` (debounced by `debounceMs`) after files under `root` change. Returns a function that stops. */
export function watchFiles(root: string, onChange: (file: string) => void, debounceMs = 200): () => void {
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let lastFile = '';
  const changed = (file: string) => {
    lastFile = file;
    clearTimeout(timer);
    timer = setTimeout(() => onChange(lastFile), debounceMs);
  };
  const add = (directory: string) => {
    if (watchers.has(directory)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(directory, (_event, name) => {
        if (name === null || skipped(name)) return;
        const path = join(directory, name);
        try {
          if (statSync(path).isDirectory()) {
            add(path);
            return;
          }
        } catch {
          // Removed: still a change.
        }
        if (watchedFile.test(name)) changed(path);
      });
    } catch {
      return;
    }
    watcher.on('error', () => {
      watcher.close();
      watchers.delete(directory);
    });
    watchers.set(directory, watcher);
    let entries: import('node:fs').Dirent[] = [];
    try {
      entries = readdirSync(directory, { withFileTypes: true });
    } catch {}
    for (const entry of entries)
      if (entry.isDirectory() && !skipped(entry.name)) add(join(directory, entry.name));
  };
  add(root);
  return () => {
    clearTimeout(timer);
    for (const watcher of watchers.values()) watcher.close();
    watchers.clear();
  };
}

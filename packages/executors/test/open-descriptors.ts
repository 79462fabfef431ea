import { readdirSync, readlinkSync } from 'node:fs';

/** Descriptors this process holds open for files in `directory`, deleted or not (read from /proc on Linux). */
export function descriptorsInto(directory: string): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(directory)) count++;
    } catch {
      // closed meanwhile
    }
  }
  return count;
}

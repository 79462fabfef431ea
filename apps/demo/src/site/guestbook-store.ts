/**
 * The guestbook's storage: one JSON object per line, appended. A file rather than memory because the
 * application runs on several worker threads (and maybe several processes), which share no memory; an append
 * of one short line is a single write, so concurrent posts do not interleave.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface GuestbookEntry {
  readonly name: string;
  readonly message: string;
  /** ISO 8601 time the entry was stored. */
  readonly postedAt: string;
}

function isEntry(value: unknown): value is GuestbookEntry {
  const entry = value as Partial<GuestbookEntry> | null;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof entry.name === 'string' &&
    typeof entry.message === 'string' &&
    typeof entry.postedAt === 'string'
  );
}

export class GuestbookStore {
  constructor(readonly file: string) {}

  /** Every stored entry, oldest first. A missing file is an empty guestbook; a damaged line is skipped. */
  entries(): GuestbookEntry[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const entries: GuestbookEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const value: unknown = JSON.parse(line);
        if (isEntry(value)) entries.push(value);
      } catch {
        // A line cut short by a crash mid-write: the entries around it are still good.
      }
    }
    return entries;
  }

  add(entry: GuestbookEntry): void {
    mkdirSync(dirname(this.file), { recursive: true });
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
  }
}

/** Starts the built demo (`node dist/main.js`) as a user would, on a free port, with its own guestbook file. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ListeningProcess, startListening } from '../../../test-support/listening-process.js';

export const demoMain = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface DemoProcess extends ListeningProcess {
  readonly guestbookFile: string;
}

export async function startDemo(args: readonly string[] = []): Promise<DemoProcess> {
  const guestbookFile = join(mkdtempSync(join(tmpdir(), 'tsgi-demo-test-')), 'guestbook.jsonl');
  const demo = await startListening([demoMain, '--port', '0', '--guestbook', guestbookFile, ...args]);
  return Object.assign(demo, { guestbookFile });
}

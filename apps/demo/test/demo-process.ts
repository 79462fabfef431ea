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

/** Without `flask: true` the demo skips /flask/: most tests need no Python interpreter (seconds to load). */
export async function startDemo(
  args: readonly string[] = [],
  { flask = false }: { flask?: boolean } = {},
): Promise<DemoProcess> {
  const guestbookFile = join(mkdtempSync(join(tmpdir(), 'tsgi-demo-test-')), 'guestbook.jsonl');
  const demo = await startListening(
    [demoMain, '--port', '0', '--guestbook', guestbookFile, ...(flask ? [] : ['--no-flask']), ...args],
    {},
    flask ? 120_000 : undefined,
  );
  return Object.assign(demo, { guestbookFile });
}

// Concurrent large uploads to a WSGIContainer on the inline executor, in a child process whose RSS is sampled:
// bodies past the in-memory limit (64 KiB by default) go to temporary files, so memory does not grow with them
// (issue 17 measured 8 × 90 MiB uploads taking RSS from 86 to 762 MiB when bodies were held whole).
import { type ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';

const { digest } = await import('../fixtures/slow-client-apps.mjs');
const MiB = 1024 * 1024;
const uploads = 8;
const uploadBytes = 16 * MiB;
// Spooled, what remains is a chunk in flight per upload, node's socket buffers and the allocator's slack: RSS grew
// by about 16 MiB in a trial on the 2-core box. With bodies held in memory (bodyBufferSize: 1e9) the same run grew
// by about 90 MiB (the eight bodies, 128 MiB, mostly overlap). 64 MiB sits between, with room for a loaded machine.
const rssGrowthLimit = 64 * MiB;

let child: ChildProcess | undefined;
afterAll(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
});

const piece = Buffer.alloc(256 * 1024).map((_, index) => (index * 7) & 0xff);
let expectedDigest = 0;
for (let sent = 0; sent < uploadBytes; sent += piece.length) expectedDigest = digest(piece, expectedDigest);

/** POSTs `uploadBytes` to /upload in 256 KiB pieces, honouring backpressure; resolves to the answer's body. */
function upload(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/upload',
        method: 'POST',
        headers: { 'Content-Length': uploadBytes },
      },
      (incoming) => {
        let text = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (part: string) => {
          text += part;
        });
        incoming.on('end', () => resolve(text));
      },
    );
    outgoing.on('error', reject);
    let sent = 0;
    const more = () => {
      while (sent < uploadBytes) {
        sent += piece.length;
        if (!outgoing.write(piece)) {
          outgoing.once('drain', more);
          return;
        }
      }
      outgoing.end();
    };
    more();
  });
}

async function rss(port: number): Promise<{ rss: number; peak: number }> {
  const response = await fetch(`http://127.0.0.1:${port}/__rss`);
  return (await response.json()) as { rss: number; peak: number };
}

describe('inline executor: concurrent large uploads', () => {
  it(`${uploads} × ${uploadBytes / MiB} MiB at once: every byte read, RSS bounded`, async () => {
    child = spawn(process.execPath, [join(import.meta.dirname, '../fixtures/spool-server.mjs')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const firstLine = await new Promise<string>((resolve) =>
      createInterface({ input: child!.stdout! }).once('line', resolve),
    );
    const { port } = JSON.parse(firstLine) as { port: number };
    // Warm up the paths (one upload), then start from a fresh peak.
    expect(await upload(port)).toBe(`${uploadBytes} ${expectedDigest}`);
    const before = await rss(port);
    const answers = await Promise.all(Array.from({ length: uploads }, () => upload(port)));
    for (const answer of answers) expect(answer).toBe(`${uploadBytes} ${expectedDigest}`);
    const { peak } = await rss(port);
    console.log(
      `inline spooling: RSS ${Math.round(before.rss / MiB)} MiB before, peak ${Math.round(peak / MiB)} MiB ` +
        `during ${uploads} × ${uploadBytes / MiB} MiB uploads`,
    );
    expect(peak - before.rss).toBeLessThan(rssGrowthLimit);
  }, 120_000);
});

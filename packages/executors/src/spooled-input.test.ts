import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test as propertyTest } from '@fast-check/vitest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { descriptorsInto } from '../test/open-descriptors.js';
import {
  type InputFile,
  InputFileReader,
  InputSpoolError,
  isInputFile,
  spoolInput,
} from './spooled-input.js';

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'tsgi-spool-test-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function* chunksOf(...chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

const filled = (length: number, seed: number) =>
  new Uint8Array(length).map((_, index) => (index * seed) & 0xff);

function readAll(file: InputFile, pieceSize: number): Uint8Array {
  const reader = new InputFileReader(file.fd, file.length);
  const pieces: Uint8Array[] = [];
  for (let piece = reader.read(pieceSize); piece !== null; piece = reader.read(pieceSize)) {
    expect(piece.length).toBeLessThanOrEqual(pieceSize);
    pieces.push(piece);
  }
  return Buffer.concat(pieces);
}

const waitUntil = async (condition: () => boolean) => {
  for (let waited = 0; waited < 2000 && !condition(); waited += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return condition();
};

describe('spoolInput', () => {
  it('keeps an input that fits memoryLimit in memory, joined in one array', async () => {
    const spooled = await spoolInput(chunksOf(filled(3, 1), filled(5, 2)), { memoryLimit: 8, directory });
    expect(spooled).toBeInstanceOf(Uint8Array);
    expect([...(spooled as Uint8Array)]).toEqual([...filled(3, 1), ...filled(5, 2)]);
    expect(readdirSync(directory)).toEqual([]);
  });

  it('moves a longer input to a file that has no name while it is used, and closes it on release', async () => {
    const parts = [filled(6, 3), filled(4000, 5), filled(70_000, 7)];
    const spooled = await spoolInput(chunksOf(...parts), { memoryLimit: 8, directory });
    expect(isInputFile(spooled)).toBe(true);
    const file = spooled as InputFile;
    expect(file.length).toBe(74_006);
    // Unlinked at once: nothing in the directory, yet the descriptor reads every byte.
    expect(readdirSync(directory)).toEqual([]);
    expect(descriptorsInto(directory)).toBe(1);
    expect(Buffer.compare(readAll(file, 4096), Buffer.concat(parts))).toBe(0);
    file.release();
    file.release(); // idempotent
    expect(await waitUntil(() => descriptorsInto(directory) === 0)).toBe(true);
  });

  it('sends an input announced longer than memoryLimit straight to a file', async () => {
    const spooled = await spoolInput(chunksOf(filled(4, 1)), { memoryLimit: 8, directory }, 100);
    expect(isInputFile(spooled)).toBe(true);
    expect((spooled as InputFile).length).toBe(4);
    (spooled as InputFile).release();
  });

  it('releases the file and rethrows when the source fails', async () => {
    async function* broken() {
      yield filled(100, 1);
      throw new Error('client went away');
    }
    await expect(spoolInput(broken(), { memoryLimit: 8, directory })).rejects.toThrow('client went away');
    expect(await waitUntil(() => descriptorsInto(directory) === 0)).toBe(true);
    expect(readdirSync(directory)).toEqual([]);
  });

  it('fails with InputSpoolError when the directory cannot take the file', async () => {
    const error = await spoolInput(chunksOf(filled(100, 1)), {
      memoryLimit: 8,
      directory: join(directory, 'nope'),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputSpoolError);
    expect((error as Error).message).toMatch(/Could not create a temporary file for the input in .*nope/);
  });

  propertyTest.prop(
    [
      fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 12 }),
      fc.integer({ min: 0, max: 5000 }),
      fc.integer({ min: 1, max: 7000 }),
    ],
    { numRuns: 40 },
  )(
    'returns every byte in order, in memory or on disk, read in any piece size',
    async (sizes, memoryLimit, pieceSize) => {
      const parts = sizes.map((size, index) => filled(size, index + 3));
      const expected = Buffer.concat(parts);
      const spooled = await spoolInput(chunksOf(...parts), { memoryLimit, directory });
      if (expected.length <= memoryLimit) {
        expect(Buffer.compare(spooled as Uint8Array, expected)).toBe(0);
      } else {
        const file = spooled as InputFile;
        expect(file.length).toBe(expected.length);
        expect(Buffer.compare(readAll(file, pieceSize), expected)).toBe(0);
        file.release();
      }
    },
  );
});

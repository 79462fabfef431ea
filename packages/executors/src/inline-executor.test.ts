import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { descriptorsInto } from '../test/open-descriptors.js';
import { WorkCancelledError, WorkTimeoutError } from './errors.js';
import type { WorkPort } from './executor.js';
import { InlineExecutor } from './inline-executor.js';
import { ModuleLoadError } from './module-reference.js';
import { type InputFile, spoolInput } from './spooled-input.js';

const handlers = fileURLToPath(new URL('../test/fixtures/handlers.mjs', import.meta.url));
const bytes = (text: string) => new TextEncoder().encode(text);
const decode = (chunk: Uint8Array | null) => (chunk === null ? null : new TextDecoder().decode(chunk));

describe('InlineExecutor', () => {
  test('says what it is', () => {
    const executor = new InlineExecutor();
    expect(executor.kind).toBe('inline');
    expect(executor.multithread).toBe(false);
  });

  test('runs the handler on the calling thread, synchronously up to its first await', async () => {
    const executor = new InlineExecutor();
    let ran = false;
    const done = executor.run({
      handler: () => {
        ran = true;
      },
      payload: null,
      onMessage: () => {},
    });
    expect(ran).toBe(true);
    await done;
  });

  test('send() returns what onMessage returned, so the handler waits for it (backpressure)', async () => {
    const executor = new InlineExecutor();
    const order: string[] = [];
    let release!: () => void;
    const run = executor.run({
      handler: async (_payload, port) => {
        await port.send('first');
        order.push('after first');
      },
      payload: null,
      onMessage: (message) => {
        order.push(String(message));
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(order).toEqual(['first']);
    release();
    await run;
    expect(order).toEqual(['first', 'after first']);
  });

  test('read() serves a buffered input in pieces, then null', async () => {
    const executor = new InlineExecutor();
    const pieces: Array<string | null> = [];
    await executor.run({
      handler: (_payload, port) => {
        pieces.push(decode(port.read(3)), decode(port.read(100)), decode(port.read(1)));
      },
      payload: null,
      input: bytes('hello world'),
      onMessage: () => {},
    });
    expect(pieces).toEqual(['hel', 'lo world', null]);
  });

  test('an async input longer than the spool memory limit goes to a file, released after the run', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'tsgi-inline-spool-'));
    try {
      const executor = new InlineExecutor({ spool: { memoryLimit: 4, directory } });
      async function* source() {
        yield bytes('hello ');
        yield bytes('spooled world');
      }
      let read: string | null = null;
      let openDuringRun = 0;
      await executor.run({
        handler: (_payload, port) => {
          openDuringRun = descriptorsInto(directory);
          read = decode(port.read(100));
        },
        payload: null,
        input: source(),
        onMessage: () => {},
      });
      expect(read).toBe('hello spooled world');
      expect(openDuringRun).toBe(1);
      expect(readdirSync(directory)).toEqual([]);
      for (let waited = 0; waited < 2000 && descriptorsInto(directory) > 0; waited += 10) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(descriptorsInto(directory)).toBe(0);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  test('reads an InputFile and releases it once, when the run settles', async () => {
    const spooled = (await spoolInput(
      (async function* () {
        yield bytes('from a file');
      })(),
      { memoryLimit: 0 },
    )) as InputFile;
    let releases = 0;
    const pieces: Array<string | null> = [];
    await new InlineExecutor().run({
      handler: async (_payload, port) => {
        pieces.push(decode(port.read(4)));
        await new Promise((resolve) => setTimeout(resolve, 5));
        expect(releases).toBe(0);
        pieces.push(decode(port.read(100)), decode(port.read(1)));
      },
      payload: null,
      input: {
        fd: spooled.fd,
        length: spooled.length,
        release() {
          releases++;
          spooled.release();
        },
      },
      onMessage: () => {},
    });
    expect(pieces).toEqual(['from', ' a file', null]);
    expect(releases).toBe(1);
  });

  test('an async input is buffered before the handler runs', async () => {
    const executor = new InlineExecutor();
    async function* source() {
      yield bytes('a');
      await new Promise((resolve) => setTimeout(resolve, 5));
      yield bytes('bc');
    }
    let read: string | null = null;
    await executor.run({
      handler: (_payload, port) => {
        read = decode(port.read(10));
      },
      payload: null,
      input: source(),
      onMessage: () => {},
    });
    expect(read).toBe('abc');
  });

  test('the handler’s errors reject run(), thrown or rejected', async () => {
    const executor = new InlineExecutor();
    const base = { payload: null, onMessage: () => {} };
    await expect(
      executor.run({
        ...base,
        handler: () => {
          throw new Error('sync');
        },
      }),
    ).rejects.toThrow('sync');
    await expect(
      executor.run({ ...base, handler: async () => Promise.reject(new Error('async')) }),
    ).rejects.toThrow('async');
  });

  test('cancelled follows the signal; send() and read() then throw WorkCancelledError', async () => {
    const executor = new InlineExecutor();
    const controller = new AbortController();
    let port!: WorkPort;
    let gate!: () => void;
    const run = executor.run({
      handler: async (_payload, given) => {
        port = given;
        await new Promise<void>((resolve) => {
          gate = resolve;
        });
        given.send('too late');
      },
      payload: null,
      onMessage: () => {},
      signal: controller.signal,
    });
    expect(port.cancelled).toBe(false);
    controller.abort();
    expect(port.cancelled).toBe(true);
    expect(() => port.read(1)).toThrow(WorkCancelledError);
    gate();
    await expect(run).rejects.toThrow(WorkCancelledError);
  });

  test('timeoutMs rejects a run still waiting, and cancels its port', async () => {
    const executor = new InlineExecutor();
    let port!: WorkPort;
    const run = executor.run({
      handler: (_payload, given) => {
        port = given;
        return new Promise<void>(() => {});
      },
      payload: null,
      onMessage: () => {},
      timeoutMs: 20,
    });
    await expect(run).rejects.toThrow(WorkTimeoutError);
    expect(port.cancelled).toBe(true);
  });

  test('load() imports module references once; port.loaded() returns them; run() accepts a reference', async () => {
    const executor = new InlineExecutor();
    const reference = { module: handlers, export: 'echo' };
    await executor.load([reference]);
    const messages: unknown[] = [];
    await executor.run({
      handler: (_payload, port) => {
        messages.push(port.loaded(reference) === port.loaded(`${handlers}#echo`));
      },
      payload: null,
      onMessage: () => {},
    });
    await executor.run({
      handler: `${handlers}#echo`,
      payload: 7,
      onMessage: (message) => void messages.push(message),
    });
    expect(messages).toEqual([true, { echoed: 7 }]);
  });

  test('load() fails for a module that does not load or an export that is not a function', async () => {
    const executor = new InlineExecutor();
    await expect(executor.load([`${handlers}#notAFunction`])).rejects.toThrow(ModuleLoadError);
    await expect(executor.load(['./no/such/file.js#x'])).rejects.toThrow(ModuleLoadError);
    expect(() => executor.loaded(`${handlers}#never`)).toThrow(/was not loaded/);
  });
});

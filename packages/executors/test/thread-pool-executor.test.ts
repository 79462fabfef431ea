/**
 * ThreadPoolExecutor on real worker threads: the pool comes from the built `dist` (a worker must load JS) and
 * the handlers from `.mjs` fixtures.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fc, test as propertyTest } from '@fast-check/vitest';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ExecutorClosedError,
  type InputFile,
  ModuleLoadError,
  QueueFullError,
  spoolInput,
  ThreadPoolExecutor,
  type ThreadPoolExecutorOptions,
  WorkCancelledError,
  WorkerCrashedError,
  type WorkHandler,
  WorkTimeoutError,
} from '../dist/index.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const handlers = join(fixtures, 'handlers.mjs');
const at = (name: string) => `${handlers}#${name}`;

const pools: ThreadPoolExecutor[] = [];
function pool(options: ThreadPoolExecutorOptions = {}): ThreadPoolExecutor {
  const created = new ThreadPoolExecutor({ maxWorkers: 2, ...options });
  pools.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((created) => created.close()));
});

const shared = (ints: number) => new SharedArrayBuffer(ints * 4);
const patternByte = (index: number, offset: number) => (index * 31 + offset * 7) & 0xff;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `condition` holds (the box is loaded: be generous). */
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(5);
  }
}

/** Runs one unit of the named fixture handler and returns the messages it sent. */
async function messagesOf(
  executor: ThreadPoolExecutor,
  name: string,
  payload: unknown = null,
  input?: Uint8Array | InputFile | AsyncIterable<Uint8Array>,
): Promise<unknown[]> {
  const messages: unknown[] = [];
  await executor.run({
    handler: at(name),
    payload,
    input,
    onMessage: (message) => void messages.push(message),
  });
  return messages;
}

/** The place a message of the `sendsMixed` fixture says it had. */
function placeOf(message: unknown): number {
  if (typeof message === 'string') return Number(message.split(' ')[1]);
  if (message instanceof Map) return message.get('index') as number;
  return (message as { index: number }).index;
}

/** Bytes of a message from the `stream` fixture, in whichever of its three shapes it came. */
function chunkOf(message: unknown): Uint8Array {
  return message instanceof Uint8Array ? message : (message as { chunk: Uint8Array }).chunk;
}

describe('ThreadPoolExecutor: what it is', () => {
  it('is a multithreaded thread executor', () => {
    const executor = pool();
    expect(executor.kind).toBe('thread');
    expect(executor.multithread).toBe(true);
    expect(executor.maxQueue).toBe(128);
  });

  it('refuses a function handler with an error that asks for a module reference', async () => {
    const handler: WorkHandler = () => {};
    await expect(pool().run({ handler, payload: null, onMessage() {} })).rejects.toThrow(
      /module reference.*not a function.*cannot cross/s,
    );
  });
});

describe('ThreadPoolExecutor: worker priority', () => {
  // Only Linux keeps a nice value per thread.
  it.runIf(process.platform === 'linux')(
    'runs workers at a lower priority than the event loop by workerNice, at the process’s by default',
    async () => {
      const own = getPriority(0);
      expect(await messagesOf(pool({ maxWorkers: 1 }), 'priority')).toEqual([own]);
      expect(await messagesOf(pool({ maxWorkers: 1, workerNice: 10 }), 'priority')).toEqual([
        Math.min(19, own + 10),
      ]);
      expect(await messagesOf(pool({ maxWorkers: 1, workerNice: 3 }), 'priority')).toEqual([
        Math.min(19, own + 3),
      ]);
      expect(getPriority(0)).toBe(own); // the event loop's own priority is untouched
    },
  );
});

describe('ThreadPoolExecutor: loading', () => {
  it('starts every worker on load and has each import the modules once', async () => {
    const executor = pool({ maxWorkers: 3 });
    await executor.load([at('hello'), at('callsLoaded'), at('shout')]);
    expect(executor.threadCount).toBe(3);
    expect(await messagesOf(executor, 'callsLoaded', { application: at('shout'), argument: 'hi' })).toEqual([
      'HI!',
    ]);
  });

  it('port.loaded() refuses a module that load() was not given', async () => {
    const executor = pool({ maxWorkers: 1 });
    await executor.load([at('callsLoaded')]);
    const run = executor.run({
      handler: at('callsLoaded'),
      payload: { application: join(fixtures, 'throws-on-import.mjs') },
      onMessage() {},
    });
    await expect(run).rejects.toThrow(/was not loaded on this thread: pass it to the executor's load\(\)/);
  });

  it.each([
    ['a module that throws while it loads', () => join(fixtures, 'throws-on-import.mjs'), /did not load/],
    ['a missing export', () => at('noSuchExport'), /has no export named "noSuchExport"/],
    ['an export that is not a function', () => at('notAFunction'), /is a number, not a function/],
    ['a missing file', () => join(fixtures, 'missing.mjs'), /did not load/],
  ])(
    'fails load() at start-up for %s, and does not respawn workers in a loop',
    async (_, reference, message) => {
      const executor = pool({ maxWorkers: 2 });
      const error = await executor.load([reference()]).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ModuleLoadError);
      expect(String(error)).toMatch(message);
      await until(() => executor.threadCount === 0);
      // …and stays there: a worker that fails during start-up is not replaced.
      await sleep(300);
      expect(executor.threadCount).toBe(0);
      // Work after a failed start-up is refused with the same error rather than starting threads again.
      await expect(
        executor.run({ handler: at('hello'), payload: null, onMessage() {} }),
      ).rejects.toBeInstanceOf(ModuleLoadError);
      expect(executor.threadCount).toBe(0);
    },
  );

  it('fails load() for a module with a syntax error', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'tsgi-executors-'));
    const broken = join(directory, 'broken.mjs');
    writeFileSync(broken, 'export function broken( {\n');
    await expect(pool().load([broken])).rejects.toThrow(/did not load.*SyntaxError/s);
  });

  it('a worker started after a crash imports the modules before it takes work', async () => {
    const executor = pool({ maxWorkers: 1 });
    await executor.load([at('crash'), at('callsLoaded'), at('shout')]);
    await expect(
      executor.run({ handler: at('crash'), payload: { how: 'exit' }, onMessage() {} }),
    ).rejects.toThrow(WorkerCrashedError);
    expect(
      await messagesOf(executor, 'callsLoaded', { application: at('shout'), argument: 'again' }),
    ).toEqual(['AGAIN!']);
  });
});

describe('ThreadPoolExecutor: the response streams back in order, under a credit window', () => {
  propertyTest.prop(
    [
      fc.array(fc.nat({ max: 70_000 }), { maxLength: 24 }),
      fc.array(fc.constantFrom(0, 0, 0, 1, 3), { maxLength: 24 }),
      fc.array(fc.constantFrom('sync', 'microtask', 'timer'), { minLength: 1, maxLength: 8 }),
      fc.record({ messages: fc.integer({ min: 1, max: 6 }), bytes: fc.integer({ min: 1, max: 200_000 }) }),
    ],
    { numRuns: 25, timeout: 30_000 },
  )('every byte arrives, in order, and cleanup runs once', async (sizes, pauses, timings, creditWindow) => {
    const executor = pool({ maxWorkers: 1, creditWindow });
    const cleanups = shared(1);
    const received: Uint8Array[] = [];
    let delivered = 0;
    await executor.run({
      handler: at('stream'),
      payload: { sizes, pauses, cleanups },
      onMessage: (message) => {
        received.push(chunkOf(message));
        const timing = timings[delivered++ % timings.length];
        if (timing === 'microtask') return Promise.resolve();
        if (timing === 'timer') return sleep(1);
        return undefined;
      },
    });
    expect(received.map((chunk) => chunk.length)).toEqual(sizes);
    received.forEach((chunk, index) => {
      for (let offset = 0; offset < chunk.length; offset++) {
        if (chunk[offset] !== patternByte(index, offset)) throw new Error(`byte ${offset} of chunk ${index}`);
      }
    });
    expect(new Int32Array(cleanups)[0]).toBe(1);
  });

  propertyTest.prop(
    [
      fc.array(fc.boolean(), { maxLength: 6 }),
      fc.option(fc.nat({ max: 5 }), { nil: undefined }),
      fc.boolean(),
      fc.boolean(),
    ],
    { numRuns: 30, timeout: 30_000 },
  )(
    'a message sent as last arrives in order, before run() settles, also when more follow',
    async (lasts, read, fails, later) => {
      const executor = pool({ maxWorkers: 1 });
      const messages: unknown[] = [];
      const settled = executor.run({
        handler: at('sendsWithLast'),
        payload: { lasts, read, fails, later },
        input: new Uint8Array(8),
        onMessage: (message) => void messages.push(message),
      });
      if (fails) await expect(settled).rejects.toThrow('failed after its messages');
      else await settled;
      expect(messages).toEqual(lasts.map((_, index) => index));
    },
  );

  it('blocks the worker while onMessage is slow, so memory stays bounded', async () => {
    const executor = pool({ maxWorkers: 1, creditWindow: { messages: 4, bytes: 1024 * 1024 } });
    const progress = shared(2);
    const sent = new Int32Array(progress);
    const releases: (() => void)[] = [];
    let deliveredBytes = 0;
    const run = executor.run({
      handler: at('flood'),
      payload: { count: 200, size: 64 * 1024, progress },
      onMessage: (message) => {
        deliveredBytes += (message as Uint8Array).byteLength;
        return new Promise<void>((resolve) => releases.push(resolve));
      },
    });
    await until(() => releases.length === 1);
    await sleep(200);
    // One message is with the slow caller; the worker may have handed over at most a window's worth.
    expect(Atomics.load(sent, 0)).toBeLessThanOrEqual(4);
    expect(releases.length).toBe(1);
    releases.shift()!();
    await until(() => releases.length === 1);
    await sleep(100);
    expect(Atomics.load(sent, 0)).toBeLessThanOrEqual(5);
    // Drain the rest quickly: the worker resumes and finishes.
    const drain = setInterval(() => {
      for (const release of releases.splice(0)) release();
    }, 1);
    await run;
    clearInterval(drain);
    expect(deliveredBytes).toBe(200 * 64 * 1024);
    expect(Atomics.load(sent, 1)).toBe(1);
  });

  it('counts bytes too: 64 KiB chunks under a 128 KiB window', async () => {
    const executor = pool({ maxWorkers: 1, creditWindow: { messages: 100, bytes: 128 * 1024 } });
    const progress = shared(2);
    const releases: (() => void)[] = [];
    const run = executor.run({
      handler: at('flood'),
      payload: { count: 20, size: 64 * 1024, progress },
      onMessage: () => new Promise<void>((resolve) => releases.push(resolve)),
    });
    await until(() => releases.length === 1);
    await sleep(200);
    expect(Atomics.load(new Int32Array(progress), 0)).toBeLessThanOrEqual(2);
    const drain = setInterval(() => {
      for (const release of releases.splice(0)) release();
    }, 1);
    await run;
    clearInterval(drain);
  });

  it('a finished unit does not hold the next one on its worker back', async () => {
    const executor = pool({ maxWorkers: 1, creditWindow: { messages: 2, bytes: 1024 * 1024 } });
    let release!: () => void;
    const stalled = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = executor.run({
      handler: at('flood'),
      payload: { count: 2, size: 10, progress: shared(2) },
      onMessage: () => stalled,
    });
    expect(await messagesOf(executor, 'hello', null)).toEqual(['Hello world!']);
    release();
    await first;
  });

  propertyTest.prop(
    [
      fc.array(fc.constantFrom('text', 'small', 'large', 'map'), { minLength: 1, maxLength: 30 }),
      fc.boolean(),
      fc.constantFrom(0, 4096, 512 * 1024),
    ],
    { numRuns: 20, timeout: 30_000 },
  )(
    'what the answer ring carries and what is posted arrive in the order sent, whatever the ring size',
    async (kinds, last, answerRingBytes) => {
      const executor = pool({ maxWorkers: 1, answerRingBytes, creditWindow: { messages: 4 } });
      const messages = await messagesOf(executor, 'sendsMixed', { kinds, last });
      expect(messages.map(placeOf)).toEqual(kinds.map((_, index) => index));
      messages.forEach((message, index) => {
        if (kinds[index] === 'small' || kinds[index] === 'large') {
          const { chunk } = message as { chunk: Uint8Array };
          expect(chunk).toBeInstanceOf(Uint8Array);
          expect(chunk.length).toBe(kinds[index] === 'small' ? 300 : 40_000);
          expect(chunk.every((byte) => byte === index)).toBe(true);
        }
      });
    },
  );

  it('delivers what a thread sent before it died, then fails its unit; the pool keeps serving', async () => {
    const executor = pool({ maxWorkers: 1, answerRingBytes: 4096 });
    const messages: unknown[] = [];
    const run = executor.run({
      handler: at('sendsMixed'),
      payload: { kinds: ['text', 'small', 'map', 'text'], exit: true },
      onMessage: (message) => void messages.push(message),
    });
    await expect(run).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(messages.map(placeOf)).toEqual([0, 1, 2, 3]);
    expect(await messagesOf(executor, 'sendsMixed', { kinds: ['small', 'text'] })).toHaveLength(2);
  });

  it('a message that cannot be cloned throws in the handler and costs no credit', async () => {
    const executor = pool({ maxWorkers: 1, creditWindow: { messages: 2, bytes: 1024 } });
    const messages = await messagesOf(executor, 'sendsUncloneable', { attempts: 5 });
    expect(messages).toEqual(['refused: DataCloneError', 'after']);
  });

  it('rejects run() with the error onMessage throws, and the handler still cleans up', async () => {
    const executor = pool({ maxWorkers: 1 });
    const cleanups = shared(1);
    const run = executor.run({
      handler: at('stream'),
      payload: { sizes: [10, 10, 10, 10, 10, 10], cleanups },
      onMessage: () => {
        throw new Error('the socket broke');
      },
    });
    await expect(run).rejects.toThrow('the socket broke');
    expect(new Int32Array(cleanups)[0]).toBe(1);
  });

  it('rejects with the error the handler throws, and the worker keeps serving', async () => {
    const executor = pool({ maxWorkers: 1 });
    const error = await executor.run({ handler: at('fails'), payload: null, onMessage() {} }).catch((e) => e);
    expect(error).toMatchObject({ name: 'RangeError', message: 'the handler failed' });
    expect(error.stack).toContain('handlers.mjs');
    await executor.run({ handler: at('hello'), payload: null, onMessage() {} });
    expect(executor.threadCount).toBe(1);
  });
});

describe('ThreadPoolExecutor: the request body streams in on demand', () => {
  it('streams a 256 MiB body through bounded memory, pulling only as the worker reads', async () => {
    const executor = pool({ maxWorkers: 1 });
    const progress = shared(3);
    const read = new Int32Array(progress);
    const chunkSize = 64 * 1024;
    const total = 256 * 1024 * 1024;
    let pulled = 0;
    let aheadMost = 0;
    let expectedChecksum = 0;
    async function* body() {
      // The first pull (which answers `Expect: 100-continue`) waits until the app reads.
      expect(Atomics.load(read, 1)).toBe(1);
      for (let sent = 0; sent < total; sent += chunkSize) {
        const chunk = new Uint8Array(chunkSize).fill((sent / chunkSize) & 0xff);
        aheadMost = Math.max(aheadMost, pulled - Atomics.load(read, 0));
        pulled += chunkSize;
        yield chunk;
      }
    }
    for (let sent = 0; sent < total; sent += chunkSize) {
      const value = (sent / chunkSize) & 0xff;
      for (let offset = 0; offset < chunkSize; offset++) {
        expectedChecksum = (expectedChecksum + value * ((sent + offset) % 251)) % 1_000_000_007;
      }
    }
    expect(
      await messagesOf(executor, 'consume', { progress, delayMs: 50, readSize: 1024 * 1024 }, body()),
    ).toEqual([{ bytes: total, checksum: expectedChecksum, largest: chunkSize }]);
    // The main thread never held more than one chunk the worker had not read yet.
    expect(aheadMost).toBeLessThanOrEqual(chunkSize);
  }, 120_000);

  it('reads a buffered body in pieces of the size asked for', async () => {
    const executor = pool({ maxWorkers: 1 });
    const body = new Uint8Array(10_000).map((_, index) => index % 256);
    expect(
      (
        await messagesOf(
          executor,
          'consume',
          { progress: shared(3), readSize: 3000 },
          Buffer.from(body.buffer, 0, 10_000),
        )
      )[0],
    ).toMatchObject({ bytes: 10_000, largest: 3000 });
  });

  propertyTest.prop(
    [
      fc.uint8Array({ maxLength: 40_000 }),
      fc.integer({ min: 1, max: 9_000 }),
      fc.boolean(),
      fc.constantFrom('buffer', 'stream', 'file'),
    ],
    { numRuns: 20, timeout: 60_000 },
  )(
    'readInto() and read() in turn read every byte, whatever the input travels by',
    async (body, size, mixed, how) => {
      // One slot of 32 KiB: a larger body, and all but one of the concurrent runs, are cloned instead.
      const executor = pool({ maxWorkers: 2, sharedInputBytes: 32 * 1024 });
      let input: Uint8Array | InputFile | AsyncIterable<Uint8Array> = body;
      if (how === 'stream') {
        input = (async function* () {
          for (let start = 0; start < body.length; start += 7_000) yield body.slice(start, start + 7_000);
        })();
      } else if (how === 'file') {
        input = await spoolInput(
          (async function* () {
            yield body;
          })(),
          { memoryLimit: 0 },
        );
      }
      // A buffer can be read by several units at once (each gets its own copy in shared memory).
      const runs = how === 'buffer' ? 3 : 1;
      const results = await Promise.all(
        Array.from({ length: runs }, () => messagesOf(executor, 'readsInto', { size, mixed }, input)),
      );
      for (const messages of results) expect(messages).toEqual([body]);
    },
  );

  it('reads no body as an immediate end', async () => {
    expect(await messagesOf(pool(), 'consume', { progress: shared(3), readSize: 100 })).toEqual([
      { bytes: 0, checksum: 0, largest: 0 },
    ]);
  });

  it('turns a failing body source into an error thrown by read()', async () => {
    async function* body() {
      yield new Uint8Array(5);
      throw new Error('the client sent a broken chunk');
    }
    const progress = shared(3);
    const run = pool().run({
      handler: at('consume'),
      payload: { progress, readSize: 100 },
      input: body(),
      onMessage() {},
    });
    await expect(run).rejects.toThrow(/Reading the request body failed: the client sent a broken chunk/);
    expect(new Int32Array(progress)[2]).toBe(1);
  });
});

describe('ThreadPoolExecutor: bodies in shared memory', () => {
  it('gives every slot back, whether the unit returns, throws, is cancelled, times out or kills its thread', async () => {
    const executor = pool({ maxWorkers: 2, maxQueue: 1000, sharedInputBytes: 8 * 64 * 1024 });
    await executor.load([at('readsThenEnds')]);
    const outcomes = ['return', 'throw', 'cancel', 'wait', 'timeout', 'exit'] as const;
    const runs: Promise<unknown>[] = [];
    let busiest = 0;
    for (let index = 0; index < 36; index++) {
      const how = outcomes[index % outcomes.length]!;
      const controller = new AbortController();
      const body = new Uint8Array(1000 + index).fill(index);
      runs.push(
        executor.run({
          handler: at('readsThenEnds'),
          payload: { how: how === 'timeout' ? 'spin' : how === 'cancel' ? 'wait' : how, ms: 30 },
          input: body,
          signal: controller.signal,
          timeoutMs: how === 'timeout' ? 200 : undefined,
          onMessage: () => {},
        }),
      );
      if (how === 'cancel') setTimeout(() => controller.abort(), index % 2 === 0 ? 0 : 15);
      busiest = Math.max(busiest, executor.sharedInputInUse);
    }
    await Promise.allSettled(runs);
    // Bodies were in shared memory (8 slots for 36 bodies: the rest were cloned)…
    expect(busiest).toBe(8);
    // …and every slot comes back, a terminated thread's once it has exited.
    await until(() => executor.sharedInputInUse === 0);
    expect(executor.sharedInputInUse).toBe(0);
  }, 60_000);
});

describe('ThreadPoolExecutor: input in a file', () => {
  /** The body spooled to a temporary file, with its releases recorded. */
  async function spooledFile(bytes: Uint8Array) {
    const file = (await spoolInput(
      (async function* () {
        yield bytes;
      })(),
      { memoryLimit: 0 },
    )) as InputFile;
    const releases: number[] = [];
    const watched: InputFile = {
      fd: file.fd,
      length: file.length,
      release() {
        releases.push(performance.now());
        file.release();
      },
    };
    return { file: watched, releases };
  }

  const checksumOf = (bytes: Uint8Array) => {
    let checksum = 0;
    for (let offset = 0; offset < bytes.length; offset++)
      checksum = (checksum + bytes[offset]! * (offset % 251)) % 1_000_000_007;
    return checksum;
  };

  it('is read by the worker itself, in the pieces asked for, and released once the unit is done', async () => {
    const body = new Uint8Array(300_000).map((_, index) => (index * 13) & 0xff);
    const { file, releases } = await spooledFile(body);
    const messages = await messagesOf(
      pool({ maxWorkers: 1 }),
      'consume',
      { progress: shared(3), readSize: 70_000 },
      file,
    );
    expect(messages).toEqual([{ bytes: 300_000, checksum: checksumOf(body), largest: 70_000 }]);
    expect(releases).toHaveLength(1);
  });

  it('stays open until the thread of a unit that timed out has exited', async () => {
    const executor = pool({ maxWorkers: 1 });
    await executor.load([at('spin')]);
    const { file, releases } = await spooledFile(new Uint8Array(10));
    const run = executor.run({
      handler: at('spin'),
      payload: null,
      input: file,
      timeoutMs: 200,
      onMessage() {},
    });
    await expect(run).rejects.toBeInstanceOf(WorkTimeoutError);
    // The thread is being terminated: it may still be running, so the descriptor must not be reused yet.
    expect(releases).toHaveLength(0);
    await until(() => releases.length === 1);
  });

  it('is released by work refused at once', async () => {
    const executor = pool({ maxWorkers: 1 });
    await executor.close();
    const { file, releases } = await spooledFile(new Uint8Array(10));
    await expect(
      executor.run({ handler: at('consume'), payload: null, input: file, onMessage() {} }),
    ).rejects.toBeInstanceOf(ExecutorClosedError);
    expect(releases).toHaveLength(1);
  });
});

describe('ThreadPoolExecutor: cancellation', () => {
  it('makes the next send throw WorkCancelledError so the handler cleans up', async () => {
    const executor = pool({ maxWorkers: 1 });
    const controller = new AbortController();
    const progress = shared(2);
    let delivered = 0;
    const run = executor.run({
      handler: at('flood'),
      payload: { count: 1_000_000, size: 100, progress },
      signal: controller.signal,
      onMessage: () => {
        if (++delivered === 3) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(WorkCancelledError);
    expect(Atomics.load(new Int32Array(progress), 1)).toBe(1);
    expect(delivered).toBe(3);
    await executor.run({ handler: at('hello'), payload: null, onMessage() {} });
  });

  it('wakes a send that is blocked on a full window', async () => {
    const executor = pool({ maxWorkers: 1, creditWindow: { messages: 1, bytes: 1024 } });
    const controller = new AbortController();
    const progress = shared(2);
    const run = executor.run({
      handler: at('flood'),
      payload: { count: 100, size: 10, progress },
      signal: controller.signal,
      onMessage: () => new Promise<void>(() => {}),
    });
    await until(() => Atomics.load(new Int32Array(progress), 0) >= 1);
    await sleep(50);
    controller.abort();
    await expect(run).rejects.toBeInstanceOf(WorkCancelledError);
    expect(Atomics.load(new Int32Array(progress), 1)).toBe(1);
  });

  it('wakes a read that waits for body bytes', async () => {
    const executor = pool({ maxWorkers: 1 });
    const controller = new AbortController();
    const progress = shared(3);
    let pulls = 0;
    const body: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: () => {
          pulls++;
          return new Promise<IteratorResult<Uint8Array>>(() => {});
        },
      }),
    };
    const run = executor.run({
      handler: at('consume'),
      payload: { progress, readSize: 100 },
      input: body,
      signal: controller.signal,
      onMessage() {},
    });
    await until(() => pulls === 1);
    controller.abort();
    await expect(run).rejects.toBeInstanceOf(WorkCancelledError);
    expect(Atomics.load(new Int32Array(progress), 2)).toBe(1);
    // The thread is free again.
    await executor.run({ handler: at('hello'), payload: null, onMessage() {} });
  });

  it('settles at once when cancelled while only delivery is left', async () => {
    const executor = pool({ maxWorkers: 1 });
    const controller = new AbortController();
    let delivered = 0;
    const run = executor.run({
      handler: at('hello'),
      payload: null,
      signal: controller.signal,
      onMessage: () => {
        delivered++;
        return new Promise<void>(() => {});
      },
    });
    await until(() => delivered === 1);
    await sleep(50);
    controller.abort();
    await run;
  });

  it('drops work still waiting in the queue at once', async () => {
    const executor = pool({ maxWorkers: 1, maxQueue: 10 });
    const gate = shared(2);
    const busy = executor.run({ handler: at('gated'), payload: { gate }, onMessage() {} });
    const pipelined = executor.run({ handler: at('hello'), payload: null, onMessage() {} });
    const controller = new AbortController();
    const queued = executor.run({
      handler: at('hello'),
      payload: null,
      signal: controller.signal,
      onMessage() {},
    });
    controller.abort();
    await expect(queued).rejects.toBeInstanceOf(WorkCancelledError);
    Atomics.store(new Int32Array(gate), 0, 1);
    Atomics.notify(new Int32Array(gate), 0);
    await busy;
    await pipelined;
  });
});

describe('ThreadPoolExecutor: maxUnitsPerWorker', () => {
  const threadOf = async (executor: ThreadPoolExecutor, ms = 0) =>
    (await messagesOf(executor, 'whoami', { ms }))[0] as number;

  it('replaces a worker after its units, one after another, without failing any', async () => {
    const executor = pool({ maxWorkers: 1, maxUnitsPerWorker: 3 });
    await executor.load([at('whoami')]);
    const threads: number[] = [];
    for (let index = 0; index < 10; index++) threads.push(await threadOf(executor));
    // Three units per thread: 10 units ran on 4 threads, in order.
    expect(new Set(threads).size).toBe(4);
    for (let index = 0; index < 9; index += 3) {
      expect(new Set(threads.slice(index, index + 3)).size).toBe(1);
    }
    await until(() => executor.threadCount === 1);
  });

  it('lets the replaced worker finish the units it holds while its successor takes the new ones', async () => {
    const executor = pool({ maxWorkers: 2, maxUnitsPerWorker: 4, maxUnitsPerWorkerJitter: 2 });
    await executor.load([at('whoami')]);
    const threads = await Promise.all(Array.from({ length: 40 }, () => threadOf(executor, 5)));
    expect(threads).toHaveLength(40);
    // At most 6 units per thread (4 plus a jitter of up to 2).
    const perThread = new Map<number, number>();
    for (const thread of threads) perThread.set(thread, (perThread.get(thread) ?? 0) + 1);
    for (const count of perThread.values()) expect(count).toBeLessThanOrEqual(6);
    expect(perThread.size).toBeGreaterThanOrEqual(7);
    await until(() => executor.threadCount <= 2);
  });
});

describe('ThreadPoolExecutor: failures stay with their own work', () => {
  it('terminates a unit that exceeds timeoutMs and replaces its worker', async () => {
    const executor = pool({ maxWorkers: 1, timeoutMs: 10_000 });
    await executor.load([at('spin'), at('hello')]);
    const error = await executor
      .run({ handler: at('spin'), payload: null, timeoutMs: 200, onMessage() {} })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorkTimeoutError);
    expect((error as WorkTimeoutError).timeoutMs).toBe(200);
    expect(await messagesOf(executor, 'hello', null)).toEqual(['Hello world!']);
    expect(executor.threadCount).toBe(1);
  });

  it('counts a unit’s time from when it starts, not while it waits behind another', async () => {
    const executor = pool({ maxWorkers: 1 });
    await executor.load([at('cpu')]);
    const first = executor.run({ handler: at('cpu'), payload: { cpuMs: 900 }, onMessage() {} });
    // Waits ~900 ms behind the first, then runs 100 ms: well within its 500 ms once it runs (counting from when
    // it was handed to the worker, it would be killed before the first finished). The slack absorbs a loaded box.
    const second = executor.run({
      handler: at('cpu'),
      payload: { cpuMs: 100 },
      timeoutMs: 500,
      onMessage() {},
    });
    await first;
    await second;
  });

  it.each([
    ['calls process.exit()', { how: 'exit' }, /exited with code 7/],
    ['throws outside the handler', { how: 'throw-outside' }, /crashed: thrown outside the handler/],
  ])('fails only the unit whose worker %s, and keeps serving', async (_, payload, message) => {
    const executor = pool({ maxWorkers: 2 });
    await executor.load([at('crash'), at('gated')]);
    const gate = shared(2);
    const bystander = executor.run({
      handler: at('gated'),
      payload: { gate, answer: 'fine' },
      onMessage() {},
    });
    await until(() => Atomics.load(new Int32Array(gate), 1) === 1);
    const error = await executor
      .run({ handler: at('crash'), payload, onMessage() {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(String((error as Error).message)).toMatch(message);
    Atomics.store(new Int32Array(gate), 0, 1);
    Atomics.notify(new Int32Array(gate), 0);
    await bystander;
    expect(await messagesOf(executor, 'hello')).toEqual(['Hello world!']);
    await until(() => executor.threadCount === 2);
  });

  it('replaces a worker that runs out of memory under resourceLimits', async () => {
    const executor = pool({ maxWorkers: 1, resourceLimits: { maxOldGenerationSizeMb: 24 } });
    await executor.load([at('crash'), at('hello')]);
    const error = await executor
      .run({ handler: at('crash'), payload: { how: 'oom' }, onMessage() {} })
      .catch((e) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(String(error.message)).toMatch(/ran out of memory/);
    await executor.run({ handler: at('hello'), payload: null, onMessage() {} });
  }, 30_000);

  it('refuses work at once when the queue is full', async () => {
    const executor = pool({ maxWorkers: 1, maxQueue: 2 });
    await executor.load([at('gated')]);
    const gate = new Int32Array(shared(2));
    try {
      const accepted = [0, 1, 2].map(() =>
        executor.run({ handler: at('gated'), payload: { gate: gate.buffer }, onMessage() {} }),
      );
      expect(executor.queueSize).toBe(2);
      const refused = executor.run({ handler: at('gated'), payload: { gate: gate.buffer }, onMessage() {} });
      await expect(refused).rejects.toBeInstanceOf(QueueFullError);
      expect(executor.queueSize).toBe(2);
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
      await Promise.all(accepted);
    } finally {
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
    }
  });
});

describe('ThreadPoolExecutor: concurrency', () => {
  it.each([false, true])(
    'runs two units at the same time (Tornado barrier, streaming %s)',
    async (streaming) => {
      const executor = pool({ maxWorkers: 2 });
      await executor.load([at('barrier')]);
      const barrier = shared(1);
      const bodies = await Promise.all(
        [0, 1].map(async () => {
          const parts: unknown[] = [];
          await executor.run({
            handler: at('barrier'),
            payload: { barrier, streaming },
            onMessage: (message) => void parts.push(message),
          });
          return parts.join('');
        }),
      );
      expect(bodies.sort()).toEqual(['ok 0', 'ok 1']);
    },
  );

  it('gives a unit waiting behind a long one to a worker that falls idle', async () => {
    const executor = pool({ maxWorkers: 2 });
    await executor.load([at('gated'), at('hello')]);
    const longGate = new Int32Array(shared(2));
    const shortGate = new Int32Array(shared(2));
    const long = executor.run({ handler: at('gated'), payload: { gate: longGate.buffer }, onMessage() {} });
    const short = executor.run({ handler: at('gated'), payload: { gate: shortGate.buffer }, onMessage() {} });
    await until(() => longGate[1] === 1 && shortGate[1] === 1);
    // Both workers are busy, so each takes one of these in waiting.
    const waiting = [0, 1].map(() => executor.run({ handler: at('hello'), payload: null, onMessage() {} }));
    Atomics.store(shortGate, 0, 1);
    Atomics.notify(shortGate, 0);
    await short;
    // Both finish while the long unit still runs: the one behind it moved to the idle worker.
    await Promise.all(waiting);
    expect(longGate[0]).toBe(0);
    Atomics.store(longGate, 0, 1);
    Atomics.notify(longGate, 0);
    await long;
  });

  it('keeps the event loop responsive while every worker runs 100 ms of CPU', async () => {
    const executor = pool({ maxWorkers: 2 });
    await executor.load([at('cpu')]);
    let ticks = 0;
    let worstLag = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      worstLag = Math.max(worstLag, now - last - 5);
      last = now;
      ticks++;
    }, 5);
    const started = performance.now();
    await Promise.all(
      [0, 1, 2, 3].map(() => executor.run({ handler: at('cpu'), payload: { cpuMs: 100 }, onMessage() {} })),
    );
    const elapsed = performance.now() - started;
    clearInterval(timer);
    expect(elapsed).toBeGreaterThanOrEqual(190);
    // Had the work run on this thread, no timer could have fired during it.
    expect(ticks).toBeGreaterThan(10);
    expect(worstLag).toBeLessThan(200);
  });
});

describe('ThreadPoolExecutor: workers stalled on their callers', () => {
  /** Runs a flood whose caller takes one message and then nothing: its worker blocks on a full window. */
  function stallOne(executor: ThreadPoolExecutor) {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const progress = shared(2);
    const run = executor.run({
      handler: at('flood'),
      payload: { progress, count: 64, size: 1024 },
      onMessage: () => released,
    });
    return { run, release, progress: new Int32Array(progress) };
  }

  it('runs waiting work on an extra worker while every worker is stalled, and ends it when the stall is over', async () => {
    const executor = pool({ maxWorkers: 1, idleTimeoutMs: Number.POSITIVE_INFINITY });
    await executor.load([at('flood'), at('hello')]);
    const stalled = stallOne(executor);
    await until(() => Atomics.load(stalled.progress, 0) >= 16);
    const started = performance.now();
    expect(await messagesOf(executor, 'hello')).toEqual(['Hello world!']);
    // Half a second of grace, then a new thread imports the module: 5 s only absorbs a loaded machine, against a
    // wait that would otherwise last as long as the stalled caller (here: until the test releases it).
    expect(performance.now() - started).toBeLessThan(5000);
    expect(executor.threadCount).toBe(2);
    stalled.release();
    await stalled.run;
    await until(() => executor.threadCount === 1);
  });

  it('shrinks back to maxWorkers, not below, when every stall ends at once', async () => {
    const executor = pool({ maxWorkers: 2, idleTimeoutMs: Number.POSITIVE_INFINITY });
    await executor.load([at('flood'), at('hello')]);
    const stalled = [stallOne(executor), stallOne(executor)];
    await until(() => stalled.every(({ progress }) => Atomics.load(progress, 0) >= 16));
    expect(await messagesOf(executor, 'hello')).toEqual(['Hello world!']);
    expect(executor.threadCount).toBe(3); // half of maxWorkers, rounded up, extra
    for (const { release } of stalled) release();
    await Promise.all(stalled.map(({ run }) => run));
    await until(() => executor.threadCount === 2);
    await sleep(300);
    expect(executor.threadCount).toBe(2);
  });

  it('with maxExtraWorkers: 0, waiting work waits for the stalled worker', async () => {
    const executor = pool({ maxWorkers: 1, maxExtraWorkers: 0 });
    await executor.load([at('flood'), at('hello')]);
    const stalled = stallOne(executor);
    await until(() => Atomics.load(stalled.progress, 0) >= 16);
    let answered = false;
    const hello = messagesOf(executor, 'hello').then((messages) => {
      answered = true;
      return messages;
    });
    await sleep(1500);
    expect(answered).toBe(false);
    expect(executor.threadCount).toBe(1);
    stalled.release();
    await stalled.run;
    expect(await hello).toEqual(['Hello world!']);
  });
});

describe('ThreadPoolExecutor: lifecycle', () => {
  function osThreads(): number {
    return Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
  }

  it('close() lets running work finish, then ends every thread', async () => {
    const warmUp = new ThreadPoolExecutor({ maxWorkers: 2 });
    await warmUp.load([at('hello')]);
    await warmUp.close();
    await sleep(50);
    const baseline = osThreads();
    const executor = new ThreadPoolExecutor({ maxWorkers: 3 });
    await executor.load([at('cpu')]);
    expect(osThreads()).toBeGreaterThanOrEqual(baseline + 3);
    const answers: unknown[] = [];
    const running = executor.run({
      handler: at('cpu'),
      payload: { cpuMs: 200 },
      onMessage: (m) => void answers.push(m),
    });
    await sleep(20);
    await executor.close();
    await running;
    expect(answers).toEqual(['done']);
    expect(executor.threadCount).toBe(0);
    await until(() => osThreads() <= baseline, 5000);
    await expect(executor.run({ handler: at('cpu'), payload: {}, onMessage() {} })).rejects.toThrow(/closed/);
  });

  it('close({ timeoutMs }) ends work still running at the deadline, and the work still waiting', async () => {
    const executor = new ThreadPoolExecutor({ maxWorkers: 1 });
    await executor.load([at('spin'), at('hello')]);
    const stuck = executor
      .run({ handler: at('spin'), payload: null, onMessage() {} })
      .catch((e: unknown) => e);
    const waiting = executor
      .run({ handler: at('hello'), payload: null, onMessage() {} })
      .catch((e: unknown) => e);
    const started = performance.now();
    await executor.close({ timeoutMs: 300 });
    const elapsed = performance.now() - started;
    for (const failure of [await stuck, await waiting]) {
      expect(failure).toBeInstanceOf(ExecutorClosedError);
      expect((failure as Error).message).toMatch(/close deadline of 300 ms passed/);
    }
    expect(elapsed).toBeGreaterThanOrEqual(290);
    // Terminating a spinning thread is prompt; the bound only absorbs a loaded machine.
    expect(elapsed).toBeLessThan(5000);
    expect(executor.threadCount).toBe(0);
  });

  it('close({ timeoutMs }) waits for work that finishes in time', async () => {
    const executor = new ThreadPoolExecutor({ maxWorkers: 1 });
    await executor.load([at('cpu')]);
    const answers: unknown[] = [];
    const running = executor.run({
      handler: at('cpu'),
      payload: { cpuMs: 100 },
      onMessage: (m) => void answers.push(m),
    });
    await executor.close({ timeoutMs: 10_000 });
    await running;
    expect(answers).toEqual(['done']);
  });

  it('limits each worker heap to 512 MiB by default; maxOldGenerationSizeMb: 0 keeps Node’s own limit', async () => {
    const [limited] = await messagesOf(pool({ maxWorkers: 1 }), 'heapLimit');
    // heap_size_limit adds the young generation (a few dozen MiB) to the old generation's limit.
    expect(limited).toBeGreaterThanOrEqual(512);
    expect(limited).toBeLessThan(640);
    const [own] = await messagesOf(
      pool({ maxWorkers: 1, resourceLimits: { maxOldGenerationSizeMb: 0 } }),
      'heapLimit',
    );
    expect(own).toBeGreaterThan(limited as number);
  });

  it('reaps workers idle longer than idleTimeoutMs, down to minWorkers', async () => {
    const executor = pool({ maxWorkers: 3, minWorkers: 1, idleTimeoutMs: 1000 });
    await executor.load([at('hello')]);
    expect(executor.threadCount).toBe(3);
    await until(() => executor.threadCount === 1);
    await sleep(300);
    expect(executor.threadCount).toBe(1);
    await executor.run({ handler: at('hello'), payload: null, onMessage() {} });
  });

  it('starts workers on demand when run() comes before load()', async () => {
    const executor = pool({ maxWorkers: 2 });
    expect(await messagesOf(executor, 'hello')).toEqual(['Hello world!']);
  });
});

describe('ThreadPoolExecutor: worker output', () => {
  it('forwards console output and warnings, even when written just before a crash or a terminate', async () => {
    const { execFile } = await import('node:child_process');
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(
        process.execPath,
        [join(fixtures, 'output-child.mjs')],
        { timeout: 20_000 },
        (error, out, err) =>
          error ? reject(Object.assign(error, { stderr: err })) : resolve({ stdout: out, stderr: err }),
      );
    });
    const lines = stdout.split('\n');
    for (let index = 0; index < 50; index++) {
      expect(lines).toContain(`before exit ${index}`);
      expect(lines).toContain(`before timeout ${index}`);
    }
    expect(lines).toContain('results WorkerCrashedError WorkTimeoutError resolved');
    expect(stderr).toContain('stderr before exit');
    expect(stderr).toContain('Warning: a warning from a worker');
  });
});

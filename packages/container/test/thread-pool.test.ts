// WSGIContainer on a real ThreadPoolExecutor, end to end over loopback: Tornado's thread-pool cases, a native
// route beside CPU-bound requests, disconnects, and streaming both ways in bounded memory. Runs from dist: worker
// threads import dist/gateway-handler.js and the .mjs applications.

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setEnvironmentData } from 'node:worker_threads';
import { ThreadPoolExecutor } from '@tsgi/executors';
import { HTTPServer, PathMatches, Rule, RuleRouter } from '@tsgi/http-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testLogger } from '../../../test-support/test-logger.js';
import { State, stateKey } from './fixtures/thread-apps.mjs';
import { postTooLarge, rawExchange, until } from './helpers.js';

const distribution = '../dist/index.js';
const { WSGIContainer } = (await import(distribution)) as typeof import('../src/index.js');

const apps = fileURLToPath(new URL('./fixtures/thread-apps.mjs', import.meta.url));
const state = new Int32Array(new SharedArrayBuffer(8 * 4));
setEnvironmentData(stateKey, state.buffer);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends `head` (a request that expects 100-continue), and `body` only once 100 Continue arrives (after calling
 * `onContinue`); resolves to everything the server sent until it closed the connection.
 */
function sendAfterContinue(
  port: number,
  head: string,
  body: string,
  onContinue: () => void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('error', reject);
    socket.on('data', (text: string) => {
      const continued = answer.includes('100 Continue\r\n\r\n');
      answer += text;
      if (!continued && answer.includes('100 Continue\r\n\r\n')) {
        onContinue();
        socket.write(body);
      }
    });
    socket.on('end', () => resolve(answer));
    socket.write(head);
  });
}

interface Served {
  readonly url: string;
  readonly port: number;
  readonly executor: ThreadPoolExecutor;
  readonly logger: ReturnType<typeof testLogger>;
  close(): Promise<void>;
}

type ContainerOptions = NonNullable<ConstructorParameters<typeof WSGIContainer>[1]>;

/** One server: each application of thread-apps.mjs at `/<name>` on one shared pool, and a native `/native`. */
async function serveApps(
  options: ConstructorParameters<typeof ThreadPoolExecutor>[0],
  containerOptions: Omit<ContainerOptions, 'executor' | 'logger'> = {},
): Promise<Served> {
  const executor = new ThreadPoolExecutor(options);
  const logger = testLogger();
  const names = [
    'barrier',
    'streamingBarrier',
    'cpu',
    'endless',
    'download',
    'upload',
    'lateReader',
    'gated',
    'crash',
    'hello',
    'inputReport',
  ];
  const rules = names.map(
    (name) =>
      new Rule(
        new PathMatches(`/${name}`),
        new WSGIContainer(`${apps}#${name}`, { executor, logger, validate: true, ...containerOptions }),
      ),
  );
  rules.push(new Rule(new PathMatches('/native'), (request) => request.connection.respond(200, 'native')));
  const server = new HTTPServer(new RuleRouter(rules), { logger: testLogger() });
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    executor,
    logger,
    close: async () => {
      await server.close({ timeoutMs: 0 });
      await executor.close();
    },
  };
}

let served: Served;
beforeAll(async () => {
  served = await serveApps({ maxWorkers: 2 });
});
afterAll(() => served.close());
beforeEach(() => {
  state.fill(0);
});

describe('Tornado WSGIContainerThreadPoolTest', () => {
  it('serves a simple request', async () => {
    const response = await fetch(`${served.url}/hello`);
    expect(await response.text()).toBe('hello from /hello');
  });

  it.each(['barrier', 'streamingBarrier'])('overlaps two requests (%s): ok 0 / ok 1', async (name) => {
    const bodies = await Promise.all([0, 1].map(async () => (await fetch(`${served.url}/${name}`)).text()));
    expect(bodies.sort()).toEqual(['ok 0', 'ok 1']);
  });
});

describe('the event loop stays free while workers compute', () => {
  it('answers a native route while every worker runs a CPU-bound request', async () => {
    // Each of the two workers computes for 400 ms. Had that work run on the event loop, no native request could
    // be answered until it finished; on the pool the loop answers at once. The bound is loose on purpose: this
    // 2-core box also runs the two workers, the test client and other test files (the benchmark measures the
    // responsiveness figure under controlled load).
    let cpuFinished = 0;
    const cpuRequests = [0, 1].map(async () => {
      const body = await (await fetch(`${served.url}/cpu?ms=400`)).text();
      cpuFinished++;
      return body;
    });
    await sleep(30);
    const latencies: number[] = [];
    while (cpuFinished === 0) {
      const started = performance.now();
      expect(await (await fetch(`${served.url}/native`)).text()).toBe('native');
      if (cpuFinished === 0) latencies.push(performance.now() - started);
    }
    expect(await Promise.all(cpuRequests)).toEqual(['cpu done', 'cpu done']);
    expect(latencies.length).toBeGreaterThanOrEqual(3);
    latencies.sort((a, b) => a - b);
    expect(latencies[Math.floor(latencies.length / 2)]).toBeLessThan(200);
  });
});

describe('client disconnect', () => {
  it('stops the iteration and calls close() on the worker', async () => {
    const socket = connect(served.port, '127.0.0.1');
    socket.write('GET /endless HTTP/1.1\r\nHost: test\r\n\r\n');
    let received = 0;
    socket.on('data', (chunk) => {
      received += chunk.length;
    });
    await until(() => received > 64 * 1024);
    socket.destroy();
    await until(() => Atomics.load(state, State.closes) === 1);
    // The worker is free again.
    expect(await (await fetch(`${served.url}/hello`)).text()).toBe('hello from /hello');
    await sleep(100);
    expect(Atomics.load(state, State.closes)).toBe(1);
  });
});

describe('streaming in bounded memory (streamInput)', () => {
  let streaming: Served;
  beforeAll(async () => {
    streaming = await serveApps({ maxWorkers: 2 }, { streamInput: true });
  });
  afterAll(() => streaming.close());

  it('streams a 64 MiB upload to the application while it reads', async () => {
    const total = 64 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 7);
    let written = 0;
    let mostAhead = 0;
    const answer = new Promise<string>((resolve, reject) => {
      const request = httpRequest(`${streaming.url}/upload`, { method: 'POST' }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (part: string) => {
          body += part;
        });
        response.on('end', () => resolve(body));
      });
      request.on('error', reject);
      const writeMore = () => {
        while (written < total) {
          mostAhead = Math.max(mostAhead, written - Atomics.load(state, State.uploaded));
          written += chunk.length;
          if (!request.write(chunk)) {
            request.once('drain', writeMore);
            return;
          }
        }
        request.end();
      };
      writeMore();
    });
    expect(await answer).toBe(String(total));
    // What the client got ahead of the application sits in socket buffers and one chunk per hop, not in memory
    // the size of the upload.
    expect(mostAhead).toBeLessThan(16 * 1024 * 1024);
  }, 60_000);

  it('answers Expect: 100-continue only when the application first reads', async () => {
    const started = performance.now();
    let continuedAfter = -1;
    const answer = await sendAfterContinue(
      streaming.port,
      'POST /lateReader HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n',
      'hello',
      () => {
        continuedAfter = performance.now() - started;
      },
    );
    expect(continuedAfter).toBeGreaterThanOrEqual(250);
    expect(answer).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n5$/);
  });

  it('holds a response back while the client does not read', async () => {
    const total = 64 * 1024 * 1024;
    const socket = connect(served.port, '127.0.0.1');
    socket.write('GET /download?mib=64 HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n');
    let received = 0;
    socket.on('data', (chunk) => {
      received += chunk.length;
    });
    await until(() => received > 0);
    socket.pause();
    await sleep(1000);
    const generatedWhilePaused = Atomics.load(state, State.generated);
    expect(generatedWhilePaused).toBeLessThan(24 * 1024 * 1024);
    socket.resume();
    await new Promise((resolve) => socket.on('end', resolve));
    expect(received).toBeGreaterThan(total);
    expect(Atomics.load(state, State.generated)).toBe(total);
    await until(() => Atomics.load(state, State.closes) === 1);
  }, 60_000);
});

describe('the body is read before the application runs', () => {
  interface Report {
    contentLength: string;
    line: number;
    five: number;
    rest: number;
    digest: number;
  }
  const digestOf = (bytes: Uint8Array) =>
    bytes.reduce((digest, byte) => (digest * 31 + byte) % 1_000_000_007, 0);

  /** Sends `head`, then each of `pieces` once the previous one was written and `gapMs` passed; resolves to the answer. */
  function converse(port: number, head: string, pieces: Buffer[], gapMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      socket.setEncoding('latin1');
      socket.on('data', (text: string) => {
        answer += text;
      });
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
      socket.write(head);
      const next = (index: number) => {
        if (index < pieces.length) socket.write(pieces[index]!, () => setTimeout(next, gapMs, index + 1));
      };
      setTimeout(next, gapMs, 0);
    });
  }

  it('holds no worker while a client uploads slowly: a request beside it on the only worker is answered at once', async () => {
    const single = await serveApps({ maxWorkers: 1 });
    try {
      const body = Buffer.from('slow line\nabcdefghij');
      const upload = converse(
        single.port,
        `POST /inputReport HTTP/1.1\r\nHost: test\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
        [...body].map((byte) => Buffer.of(byte)),
        50,
      );
      let uploaded = false;
      void upload.then(() => {
        uploaded = true;
      });
      await sleep(200);
      // The upload takes about a second; the worker is free all along, so /hello is answered while the upload
      // still trickles in. Were the worker waiting on the upload, /hello would only be answered after it.
      expect(await (await fetch(`${single.url}/hello`)).text()).toBe('hello from /hello');
      expect(uploaded).toBe(false);
      expect(Atomics.load(state, State.started)).toBe(0);
      const answer = await upload;
      const report = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Report;
      expect(report).toEqual({
        contentLength: String(body.length),
        line: 10,
        five: 5,
        rest: 5,
        digest: digestOf(body),
      });
    } finally {
      await single.close();
    }
  });

  it('keeps a body longer than bodyBufferSize in a temporary file that has no name, which the worker reads', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'tsgi-container-spool-'));
    const spooling = await serveApps(
      { maxWorkers: 1 },
      { bodyBufferSize: 1024, bodyTempDirectory: directory },
    );
    try {
      const body = Buffer.concat([
        Buffer.from('first line\n'),
        Buffer.alloc(300_000, 'x'),
        Buffer.from('\nend'),
      ]);
      const response = await fetch(`${spooling.url}/inputReport`, { method: 'POST', body });
      expect((await response.json()) as Report).toEqual({
        contentLength: String(body.length),
        line: 11,
        five: 5,
        rest: body.length - 16,
        digest: digestOf(body),
      });
      expect(await readdir(directory)).toEqual([]);
      // A chunked body: CONTENT_LENGTH is what the application reads.
      const chunked = await rawExchange(
        spooling.port,
        `POST /inputReport HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n` +
          `${(3000).toString(16)}\r\n${'y'.repeat(3000)}\r\n${(2000).toString(16)}\r\n${'z'.repeat(2000)}\r\n0\r\n\r\n`,
      );
      expect(JSON.parse(chunked.slice(chunked.indexOf('\r\n\r\n') + 4))).toMatchObject({
        contentLength: '5000',
      });
    } finally {
      await spooling.close();
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('answers Expect: 100-continue when it starts reading the body, before the application runs', async () => {
    let startedWhenContinued = -1;
    const answer = await sendAfterContinue(
      served.port,
      'POST /inputReport HTTP/1.1\r\nHost: test\r\nContent-Length: 12\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n',
      'a line\nbody!',
      () => {
        startedWhenContinued = Atomics.load(state, State.started);
      },
    );
    expect(startedWhenContinued).toBe(0);
    expect(answer).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    expect(answer).toContain('"contentLength":"12"');
  });

  it('sends no 100 Continue for a request refused on its headers alone', async () => {
    const answer = await rawExchange(
      served.port,
      'POST /inputReport HTTP/1.1\r\nHost: test\r\nContent-Type: a\r\nContent-Type: b\r\nContent-Length: 5\r\n' +
        'Expect: 100-continue\r\n\r\n',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).not.toContain('100 Continue');
    expect(Atomics.load(state, State.started)).toBe(0);
  });

  it('never starts the application for a client that leaves before its body is complete', async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(served.port, '127.0.0.1', () => {
        socket.write('POST /inputReport HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\nhalf', () =>
          setTimeout(() => socket.destroy(), 50),
        );
      });
      socket.on('error', () => {});
      socket.on('close', () => resolve());
    });
    await sleep(200);
    expect(Atomics.load(state, State.started)).toBe(0);
    expect(await (await fetch(`${served.url}/hello`)).text()).toBe('hello from /hello');
  });

  it('answers 500 with a log line when the body cannot be stored', async () => {
    const broken = await serveApps(
      { maxWorkers: 1 },
      { bodyBufferSize: 0, bodyTempDirectory: join(tmpdir(), 'tsgi-no-such-directory', 'below') },
    );
    try {
      const response = await fetch(`${broken.url}/inputReport`, { method: 'POST', body: 'hello' });
      expect(response.status).toBe(500);
      await response.text();
      expect(Atomics.load(state, State.started)).toBe(0);
      expect(
        broken.logger.lines.some(
          (line) =>
            line.level === 'error' && /Could not buffer the request body: POST \/inputReport/.test(line.text),
        ),
      ).toBe(true);
    } finally {
      await broken.close();
    }
  });
});

describe('failures', () => {
  it('answers 500 when the worker dies, and the pool keeps serving', async () => {
    const crashed = await fetch(`${served.url}/crash`);
    expect(crashed.status).toBe(500);
    await crashed.text();
    expect(await (await fetch(`${served.url}/hello`)).text()).toBe('hello from /hello');
    expect(served.logger.lines.some((line) => /worker thread .*exited with code 3/.test(line.text))).toBe(
      true,
    );
  });

  it('answers 503 to requests still unanswered when the close deadline passes, and logs why', async () => {
    const executor = new ThreadPoolExecutor({ maxWorkers: 1 });
    const logger = testLogger();
    const container = new WSGIContainer(`${apps}#gated`, { executor, logger });
    const server = new HTTPServer(container, { logger });
    const { port } = await server.listen(0, '127.0.0.1');
    try {
      // One request is stuck on the worker, one waits behind it.
      const answers = [0, 1].map(() =>
        fetch(`http://127.0.0.1:${port}/`).then((response) => response.status),
      );
      await until(() => Atomics.load(state, State.started) === 1);
      await until(() => executor.queueSize === 1);
      await container.close({ timeoutMs: 100 });
      expect(await Promise.all(answers)).toEqual([503, 503]);
      expect(
        logger.lines.filter(
          (line) => line.level === 'warn' && /close deadline of 100 ms passed/.test(line.text),
        ),
      ).toHaveLength(2);
    } finally {
      await server.close({ timeoutMs: 0 });
    }
  });

  it('answers 503 at once when the queue is full', async () => {
    const small = await serveApps({ maxWorkers: 1, maxQueue: 1 });
    try {
      // One request runs, one waits (held by the busy worker): the queue is full.
      const accepted = [0, 1].map(() => fetch(`${small.url}/gated`).then((response) => response.text()));
      await until(() => Atomics.load(state, State.started) === 1);
      await until(() => small.executor.queueSize === 1);
      const refused = await fetch(`${small.url}/gated`);
      expect(refused.status).toBe(503);
      await refused.text();
      Atomics.store(state, State.gate, 1);
      Atomics.notify(state, State.gate);
      expect(await Promise.all(accepted)).toEqual(['through the gate', 'through the gate']);
    } finally {
      Atomics.store(state, State.gate, 1);
      Atomics.notify(state, State.gate);
      await small.close();
    }
  });
});

describe('a request body the server refuses', () => {
  it('is answered by the server (413) and not logged as an application error', async () => {
    const logger = testLogger();
    const executor = new ThreadPoolExecutor({ maxWorkers: 1 });
    const refusing = new HTTPServer(new WSGIContainer(`${apps}#upload`, { executor, logger }), {
      maxBodySize: 1024,
      logger,
    });
    const { port } = await refusing.listen(0, '127.0.0.1');
    try {
      expect(await postTooLarge(port)).toMatch(/^HTTP\/1\.1 413 /);
      await sleep(100);
      expect(logger.lines.filter((line) => line.level === 'error')).toEqual([]);
    } finally {
      await refusing.close({ timeoutMs: 0 });
      await executor.close();
    }
  });
});

/**
 * `tsgi serve` in operation, over real sockets: the drain on SIGTERM, --bind and Unix sockets, --pid, --config,
 * SIGHUP reloads under load, --max-requests, the access log's formats. Every wait is for an event (a line printed,
 * a file written, a response), bounded generously: the machine is shared.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, Client, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type ListeningProcess, startListening } from '../../../test-support/listening-process.js';
import { cli, fixture, runTsgi } from './tsgi-process.js';

const running: ListeningProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((tsgi) => tsgi.stop('SIGKILL')));
});

async function tsgi(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ListeningProcess> {
  const started = await startListening([cli, 'serve', ...args], env);
  running.push(started);
  return started;
}

/** Resolves once the process has printed a line matching `pattern` (counting from the start of its output). */
function printed(process: ListeningProcess, pattern: RegExp, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!pattern.test(process.output())) return false;
      cleanup();
      resolve();
      return true;
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${process.output()}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      process.child.stdout!.off('data', check);
      process.child.stderr!.off('data', check);
    };
    process.child.stdout!.on('data', check);
    process.child.stderr!.on('data', check);
    check();
  });
}

async function waitForFile(path: string): Promise<void> {
  for (let attempt = 0; attempt < 3000 && !existsSync(path); attempt++) await sleep(10);
}

const scratch = () => mkdtempSync(join(tmpdir(), 'tsgi-operations-'));

/** A copy of the versioned fixture that a test may rewrite. */
function versionedApp(directory: string): { path: string; setVersion(version: number): void } {
  const path = join(directory, 'app.mjs');
  copyFileSync(fixture('versioned.mjs'), path);
  return {
    path,
    setVersion: (version) =>
      writeFileSync(
        path,
        readFileSync(path, 'utf8').replace(/const VERSION = \d+;/, `const VERSION = ${version};`),
      ),
  };
}

describe('SIGTERM drains: every request already sent is answered', () => {
  it.each([
    ['inline', ['--executor', 'inline']],
    ['thread', ['--executor', 'thread', '--workers', '2']],
    ['2 processes', ['--executor', 'inline', '--processes', '2']],
  ])(
    '%s: 60 requests on fresh keep-alive connections while the server is busy, SIGTERM 0.3 s later',
    async (_name, args) => {
      const directory = scratch();
      const mark = join(directory, 'blocked');
      const server = await tsgi([`${fixture('versioned.mjs')}#app`, '--port', '0', ...args], {
        TSGI_FIXTURE_MARK: mark,
      });
      const agent = new Agent({ connections: 100, pipelining: 1 });
      try {
        const blocker = request(`${server.url}/block`, { dispatcher: agent }).then((response) =>
          response.body.text(),
        );
        await waitForFile(mark);
        // Sent while the event loop (inline) or a thread is held: the connections wait in the kernel.
        const results = Promise.allSettled(
          Array.from({ length: 60 }, async () => {
            const response = await request(`${server.url}/slow`, { dispatcher: agent });
            await response.body.text();
            return response.statusCode;
          }),
        );
        await sleep(300);
        const exit = server.stop('SIGTERM');
        const settled = await results;
        await blocker;
        const failures = settled.filter((result) => result.status === 'rejected' || result.value !== 200);
        expect(failures).toEqual([]);
        expect(await exit).toEqual({ code: 0, signal: null });
      } finally {
        await agent.close();
        rmSync(directory, { recursive: true, force: true });
      }
    },
    60_000,
  );
});

describe('--bind', () => {
  it('listens on several addresses at once: TCP and a Unix socket with --socket-mode, removed on exit', async () => {
    const directory = scratch();
    const socket = join(directory, 'tsgi.sock');
    const server = await tsgi([
      `${fixture('app.mjs')}#app`,
      '--bind',
      `unix:${socket}`,
      '--bind',
      '127.0.0.1:0',
      '--socket-mode',
      '600',
      '--executor',
      'inline',
    ]);
    expect(server.url).toBe(`unix:${socket}`);
    await printed(server, /Listening at: http:\/\/127\.0\.0\.1:\d+/);
    const tcp = /Listening at: (http:\/\/127\.0\.0\.1:\d+)/.exec(server.output())![1]!;
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    const client = new Client('http://tsgi.local', { socketPath: socket });
    const overUnix = await client.request({ path: '/', method: 'GET' });
    expect(overUnix.statusCode).toBe(200);
    expect(await overUnix.body.text()).toMatch(/^Hello from the main thread/);
    await client.close();
    const overTcp = await request(`${tcp}/`);
    expect(await overTcp.body.text()).toMatch(/^Hello/);
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(existsSync(socket)).toBe(false);
    rmSync(directory, { recursive: true, force: true });
  });

  it('replaces a stale socket file, and never unlinks one a live server answers on', async () => {
    const directory = scratch();
    const socket = join(directory, 'tsgi.sock');
    // A live server on the path: tsgi must refuse and leave it alone.
    const live = createServer((connection) => connection.end());
    await new Promise<void>((resolve) => live.listen(socket, resolve));
    const refused = runTsgi([
      'serve',
      fixture('app.mjs'),
      '--bind',
      `unix:${socket}`,
      '--executor',
      'inline',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/another server is listening on/);
    expect(statSync(socket).isSocket()).toBe(true);
    await new Promise<void>((resolve) => live.close(() => resolve()));
    // A server killed outright leaves its socket file behind: stale.
    const stalePath = join(directory, 'stale.sock');
    spawnSync(process.execPath, [
      '-e',
      `require('node:net').createServer().listen(${JSON.stringify(stalePath)}, () => process.kill(process.pid, 'SIGKILL'))`,
    ]);
    expect(statSync(stalePath).isSocket()).toBe(true);
    const server = await tsgi([fixture('app.mjs'), '--bind', `unix:${stalePath}`, '--executor', 'inline']);
    const client = new Client('http://tsgi.local', { socketPath: stalePath });
    expect((await client.request({ path: '/', method: 'GET' })).statusCode).toBe(200);
    await client.close();
    await server.stop('SIGTERM');
    rmSync(directory, { recursive: true, force: true });
  });
});

describe('--pid and --config', () => {
  it('writes the pid file while serving and removes it on exit', async () => {
    const directory = scratch();
    const pidFile = join(directory, 'tsgi.pid');
    const server = await tsgi([fixture('app.mjs'), '--port', '0', '--executor', 'inline', '--pid', pidFile]);
    expect(Number(readFileSync(pidFile, 'utf8'))).toBe(server.child.pid);
    // A second server with the same pid file refuses to start.
    const second = runTsgi(['serve', fixture('app.mjs'), '--port', '0', '--pid', pidFile]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/still running/);
    await server.stop('SIGTERM');
    expect(existsSync(pidFile)).toBe(false);
    rmSync(directory, { recursive: true, force: true });
  });

  it('reads flags from a JSON or JavaScript config file; the command line wins; unknown keys are refused', async () => {
    const directory = scratch();
    const json = join(directory, 'tsgi.json');
    writeFileSync(
      json,
      JSON.stringify({
        app: `${fixture('app.mjs')}#app`,
        bind: ['127.0.0.1:0'],
        executor: 'thread',
        workers: 1,
        'access-log': true,
        accessLogFormat: 'json',
        maxBodySize: '1kb',
      }),
    );
    const server = await tsgi(['--config', json, '--executor', 'inline']);
    expect(server.output()).toMatch(/\(executor: inline\)/);
    const large = await request(`${server.url}/upload`, { method: 'POST', body: 'x'.repeat(1025) });
    await large.body.dump();
    expect(large.statusCode).toBe(413);
    await (await request(`${server.url}/?from=config`)).body.text();
    await printed(server, /"uri":"\/\?from=config"/);
    const line = server
      .output()
      .split('\n')
      .find((text) => text.includes('"uri":"/?from=config"'))!;
    expect(JSON.parse(line)).toMatchObject({ status: 200, method: 'GET', version: 'HTTP/1.1' });
    await server.stop('SIGTERM');

    const module = join(directory, 'tsgi.config.mjs');
    writeFileSync(
      module,
      `export default { app: ${JSON.stringify(fixture('app.mjs'))}, port: 0, executor: 'inline' };\n`,
    );
    const fromModule = await tsgi(['-c', module]);
    expect((await request(`${fromModule.url}/`)).statusCode).toBe(200);
    await fromModule.stop('SIGTERM');

    writeFileSync(json, JSON.stringify({ app: fixture('app.mjs'), maxRequest: 5 }));
    const unknown = runTsgi(['serve', '--config', json]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown key "maxRequest"/);
    rmSync(directory, { recursive: true, force: true });
  });
});

/** Requests from `connections` keep-alive clients until `stop()`; counts statuses, socket errors and versions. */
function load(url: string, connections: number) {
  const agent = new Agent({ connections, pipelining: 1 });
  let running = true;
  const statuses = new Map<number, number>();
  const errors: string[] = [];
  const versions = new Set<string>();
  let latest = '';
  const loop = async () => {
    while (running) {
      try {
        const response = await request(`${url}/`, { dispatcher: agent });
        const text = await response.body.text();
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        latest = /^version \d+/.exec(text)?.[0] ?? text;
        versions.add(latest);
      } catch (error) {
        errors.push(String((error as Error).message ?? error));
      }
    }
  };
  const loops = Array.from({ length: connections }, loop);
  return {
    statuses,
    errors,
    versions,
    latest: () => latest,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      await agent.close();
    },
  };
}

describe('SIGHUP reloads the application with zero failed requests', () => {
  it.each([
    ['worker threads', ['--executor', 'thread', '--workers', '2']],
    ['2 processes', ['--executor', 'inline', '--processes', '2']],
  ])(
    'on %s, under load',
    async (_name, args) => {
      const directory = scratch();
      const app = versionedApp(directory);
      const server = await tsgi([`${app.path}#app`, '--port', '0', ...args]);
      const traffic = load(server.url, 8);
      try {
        while (traffic.versions.size === 0) await sleep(20);
        app.setVersion(2);
        server.child.kill('SIGHUP');
        await printed(server, /reloaded: new requests go to the new version/);
        for (let attempt = 0; attempt < 500 && traffic.latest() !== 'version 2'; attempt++) await sleep(10);
        await sleep(300); // some traffic on the new version only
      } finally {
        await traffic.stop();
      }
      expect(traffic.errors).toEqual([]);
      expect([...traffic.statuses.keys()]).toEqual([200]);
      expect(traffic.latest()).toBe('version 2');
      // A version that does not load leaves the running one serving, and says why.
      writeFileSync(app.path, 'export const app = ;\n');
      server.child.kill('SIGHUP');
      await printed(server, /reload failed, the running version keeps serving/);
      const after = await request(`${server.url}/`);
      expect(await after.body.text()).toMatch(/^version 2/);
      expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      rmSync(directory, { recursive: true, force: true });
    },
    90_000,
  );

  it('--reload restarts the workers when a file of the application changes', async () => {
    const directory = scratch();
    const app = versionedApp(directory);
    const server = await tsgi([`${app.path}#app`, '--port', '0', '--executor', 'inline', '--reload']);
    expect(await (await request(`${server.url}/`)).body.text()).toMatch(/^version 1/);
    app.setVersion(3);
    await printed(server, /app\.mjs changed: reloading[\s\S]*reloaded/);
    expect(await (await request(`${server.url}/`)).body.text()).toMatch(/^version 3/);
    await server.stop('SIGTERM');
    rmSync(directory, { recursive: true, force: true });
  }, 60_000);
});

describe('--max-requests', () => {
  it('replaces worker threads after about N requests, failing none', async () => {
    const server = await tsgi([
      `${fixture('versioned.mjs')}#app`,
      '--port',
      '0',
      '--workers',
      '1',
      '--max-requests',
      '3',
    ]);
    const threads: string[] = [];
    for (let index = 0; index < 12; index++) {
      const response = await request(`${server.url}/`);
      expect(response.statusCode).toBe(200);
      threads.push(/thread (\d+)/.exec(await response.body.text())![1]!);
    }
    expect(new Set(threads).size).toBe(4);
    await server.stop('SIGTERM');
  });

  it('replaces an inline worker process after about N requests, failing none', async () => {
    const server = await tsgi([
      `${fixture('versioned.mjs')}#app`,
      '--port',
      '0',
      '--executor',
      'inline',
      '--max-requests',
      '5',
    ]);
    const processes = new Set<string>();
    const traffic = load(server.url, 2);
    try {
      await printed(server, /served its --max-requests; replaced by/);
    } finally {
      await traffic.stop();
    }
    for (let index = 0; index < 3; index++) {
      processes.add(/process (\d+)/.exec(await (await request(`${server.url}/`)).body.text())![1]!);
    }
    expect(traffic.errors).toEqual([]);
    expect([...traffic.statuses.keys()]).toEqual([200]);
    expect(processes.size).toBeGreaterThanOrEqual(1);
    await server.stop('SIGTERM');
  }, 60_000);
});

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { get } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delay } from './helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/cluster-server.mjs', import.meta.url));

/** One request on a fresh connection (no keep-alive), so the cluster can hand it to any worker. */
function fetchPid(port: number, path = '/'): Promise<number> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => resolve(Number(body)));
    }).on('error', reject);
  });
}

async function collectPids(port: number, count: number): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let index = 0; index < count; index++) pids.add(await fetchPid(port));
  return pids;
}

describe('start(processes) on node:cluster', () => {
  let primary: ChildProcess;
  let port: number;
  let primaryPid: number;
  let stderr = '';

  beforeAll(async () => {
    // The fixture imports the built package (dist), as any user script would.
    primary = spawn(process.execPath, [fixture, '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    primary.stderr!.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
    });
    const [line] = (await once(primary.stdout!.setEncoding('utf8'), 'data')) as [string];
    ({ port, pid: primaryPid } = JSON.parse(line.split('\n')[0]!));
  }, 20_000);

  afterAll(() => {
    if (primary.exitCode === null) primary.kill('SIGKILL');
  });

  it('answers from more than one worker process, never from the primary', async () => {
    const pids = await collectPids(port, 12);
    expect(pids.size).toBeGreaterThanOrEqual(2);
    expect(pids.has(primaryPid)).toBe(false);
  }, 20_000);

  it('replaces a dead worker while the others keep serving', async () => {
    const before = await collectPids(port, 8);
    const crashed = await fetchPid(port, '/crash');
    // Until the replacement is up, the surviving worker answers every request.
    let after = new Set<number>();
    for (let attempt = 0; attempt < 50 && (after.size < 2 || after.has(crashed)); attempt++) {
      await delay(100);
      after = await collectPids(port, 6);
      after.delete(crashed);
    }
    expect(before.has(crashed)).toBe(true);
    expect(after.size).toBeGreaterThanOrEqual(2);
    expect([...after].some((pid) => !before.has(pid))).toBe(true);
    expect(stderr).toMatch(new RegExp(`worker ${crashed} exited \\(code 1\\); starting a new one`));
  }, 20_000);

  it('SIGTERM to the primary closes every worker gracefully and exits 0', async () => {
    const exited = once(primary, 'exit');
    primary.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    await expect(fetchPid(port)).rejects.toThrow(/ECONNREFUSED/);
  }, 20_000);
});

describe('closeOnSignals in a single process', () => {
  /** Resolves once the server stopped listening: the shutdown has started, so the first signal was handled. */
  async function listenerClosed(port: number): Promise<void> {
    for (
      let tries = 0;
      tries < 250 &&
      (await fetchPid(port).then(
        () => true,
        () => false,
      ));
      tries++
    ) {
      await delay(20);
    }
  }

  /** Starts the single-process fixture with a request in flight that never ends, and signals it once. */
  async function interrupted() {
    const child = spawn(process.execPath, [fixture, '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(child.stdout!.setEncoding('utf8'), 'data')) as [string];
    const { port } = JSON.parse(line.split('\n')[0]!) as { port: number };
    // The request keeps the graceful close waiting until the fixture's 2 s timeout; then the process exits 0.
    const hanging = fetchPid(port, '/hang').catch(() => undefined);
    await delay(100);
    const exited = once(child, 'exit') as Promise<[number | null]>;
    child.kill('SIGINT');
    await listenerClosed(port);
    return { child, exited, hanging };
  }

  it('takes a signal repeated at once (a terminal and npm or pnpm both send Ctrl-C) as one', async () => {
    const { child, exited, hanging } = await interrupted();
    try {
      child.kill('SIGINT');
      const [code] = await exited;
      expect(code).toBe(0);
      await hanging;
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 20_000);

  it('a second signal after the 500 ms repeat window exits at once with code 1', async () => {
    const { child, exited, hanging } = await interrupted();
    try {
      await delay(700);
      child.kill('SIGINT');
      const [code] = await exited;
      expect(code).toBe(1);
      await hanging;
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 20_000);

  it('SIGTERM lets the in-flight request finish, then the process exits 0', async () => {
    const child = spawn(process.execPath, [fixture, '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [line] = (await once(child.stdout!.setEncoding('utf8'), 'data')) as [string];
      const { port, pid } = JSON.parse(line.split('\n')[0]!) as { port: number; pid: number };
      const slow = fetchPid(port, '/slow');
      await delay(100);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      expect(await slow).toBe(pid);
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 20_000);
});

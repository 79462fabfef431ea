/** `tsgi serve --python`: a Python WSGI application (@tsgi/python's test fixture) served by the built command. */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListeningProcess } from '../../../test-support/listening-process.js';
import { runTsgi, serveTsgi } from './tsgi-process.js';

const pythonFixtures = fileURLToPath(new URL('../../python/test/fixtures/', import.meta.url));

describe('tsgi serve --python on two worker threads', () => {
  let tsgi: ListeningProcess;
  beforeAll(async () => {
    tsgi = await serveTsgi(['--python', 'wsgi_app:application', '--chdir', pythonFixtures, '--workers', '2']);
  }, 120_000);
  afterAll(async () => {
    await tsgi?.stop();
  });

  it('reports the interpreters’ load time in its start-up line', () => {
    expect(tsgi.output()).toMatch(
      /Listening at: http:\/\/127\.0\.0\.1:\d+ \(executor: thread, 2 workers, Python wsgi_app:application loaded in \d+\.\d s\)/,
    );
  });

  it('serves the application, with wsgi.multithread', async () => {
    expect(await fetch(`${tsgi.url}/hello`).then((response) => response.text())).toBe('Hello from Python');
    const environ = (await fetch(`${tsgi.url}/environ`).then((response) => response.json())) as Record<
      string,
      unknown
    >;
    expect(environ['wsgi.multithread']).toBe(true);
  });

  it('stops on SIGTERM with exit 0', async () => {
    const exit = await tsgi.stop('SIGTERM');
    expect(exit.code).toBe(0);
  });
});

// Each run loads a Python interpreter: 3–4 s on a quiet machine, several times that on a loaded one.
describe('tsgi serve --python with an application that does not load', { timeout: 60_000 }, () => {
  it('gives a one-line error and exit 1', () => {
    const { code, stderr } = runTsgi([
      'serve',
      '--python',
      'wsgi_app:missing',
      '--chdir',
      pythonFixtures,
      '--port',
      '0',
      '--workers',
      '1',
    ]);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^tsgi: error: Python module 'wsgi_app' has no attribute 'missing' \(it has: /),
    ]);
  });

  it('prints a syntax error’s location before the one-line error', () => {
    const { code, stderr } = runTsgi([
      'serve',
      '--python',
      'syntax_error:application',
      '--chdir',
      pythonFixtures,
      '--port',
      '0',
      '--workers',
      '1',
    ]);
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines[0]).toMatch(/File ".*syntax_error\.py", line 1/);
    expect(lines).toContain("SyntaxError: expected ':'");
    expect(lines.at(-1)).toMatch(
      /^tsgi: error: importing 'syntax_error' failed: SyntaxError: expected ':' \(/,
    );
  });
});

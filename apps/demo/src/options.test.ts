import { describe, expect, it } from 'vitest';
import { parseDemoOptions, UsageError } from './options.js';

describe('parseDemoOptions', () => {
  it('defaults to 127.0.0.1:8888 on four worker threads', () => {
    expect(parseDemoOptions([], {})).toMatchObject({
      port: 8888,
      host: '127.0.0.1',
      executor: 'thread',
      workers: 4,
      processes: 1,
    });
  });

  it('reads the environment, and flags win over it', () => {
    const environment = { PORT: '9000', HOST: '0.0.0.0', EXECUTOR: 'inline', WORKERS: '2', PROCESSES: '3' };
    expect(parseDemoOptions([], environment)).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      executor: 'inline',
      workers: 2,
      processes: 3,
    });
    expect(parseDemoOptions(['--port', '7000', '--executor', 'thread'], environment)).toMatchObject({
      port: 7000,
      executor: 'thread',
    });
  });

  it('mounts Flask unless --no-flask or FLASK=off', () => {
    expect(parseDemoOptions([], {})?.flask).toBe(true);
    expect(parseDemoOptions(['--no-flask'], {})?.flask).toBe(false);
    expect(parseDemoOptions([], { FLASK: 'off' })?.flask).toBe(false);
  });

  it('answers undefined for --help', () => {
    expect(parseDemoOptions(['--help'], {})).toBeUndefined();
  });

  it.each([
    [['--port', 'http']],
    [['--port', '65536']],
    [['--executor', 'process']],
    [['--workers', '0']],
    [['--unknown']],
    [['stray']],
  ])('refuses %j with a UsageError', (argv) => {
    expect(() => parseDemoOptions(argv, {})).toThrow(UsageError);
  });
});

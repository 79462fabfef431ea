import { describe, expect, test } from 'vitest';
import type { Executor } from './executor.js';
import { InlineExecutor } from './inline-executor.js';
import { assertExecutorSupported, ProcessExecutorRejectedError } from './process-policy.js';

function executorOfKind(kind: string): Executor {
  return {
    kind,
    multithread: true,
    load: async () => {},
    run: async () => {},
    close: async () => {},
  } as Executor;
}

describe('assertExecutorSupported', () => {
  test('accepts inline and thread executors', () => {
    expect(() => assertExecutorSupported(new InlineExecutor())).not.toThrow();
    expect(() => assertExecutorSupported(executorOfKind('thread'))).not.toThrow();
  });

  test('refuses a process executor with a typed error that says why and what to use instead', () => {
    const executor = executorOfKind('process');
    let caught: unknown;
    try {
      assertExecutorSupported(executor);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ProcessExecutorRejectedError);
    expect(caught).toBeInstanceOf(TypeError);
    const error = caught as ProcessExecutorRejectedError;
    expect(error.name).toBe('ProcessExecutorRejectedError');
    expect(error.executor).toBe(executor);
    expect(error.message).toMatch(/wsgi\.input/);
    expect(error.message).toMatch(/ThreadPoolExecutor/);
    expect(error.message).toMatch(/HTTPServer\.start\(n\)/);
  });

  test('refuses what is not an executor, naming what is missing', () => {
    expect(() => assertExecutorSupported(null)).toThrow(/must be an object/);
    expect(() => assertExecutorSupported({ kind: 'inline', run() {} })).toThrow(
      'Not an Executor: load, close, multithread missing',
    );
    expect(() => assertExecutorSupported(executorOfKind('cluster'))).toThrow(
      /Unknown executor kind "cluster"/,
    );
  });
});

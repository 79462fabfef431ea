import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@tsgi/interop',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Socket and worker-thread tests: a loaded CI machine needs room beyond vitest's 5 s default.
    testTimeout: 20_000,
  },
});

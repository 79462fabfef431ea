import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@tsgi/http-server',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Socket tests wait on real timeouts; a loaded CI machine needs room beyond vitest's 5 s default.
    testTimeout: 20_000,
  },
});

import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@tsgi/reliability-tests',
    include: ['test/**/*.test.ts'],
    // Socket-level suites wait on real timeouts; the soak runs for RELIABILITY_SOAK_SECONDS (default 60).
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});

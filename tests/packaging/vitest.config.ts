import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@tsgi/packaging-tests',
    include: ['test/**/*.test.ts'],
    // Packing six packages, an npm install and a TypeScript compile: seconds on a quiet machine, more on a busy one.
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});

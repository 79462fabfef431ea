import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@tsgi/python',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Each file loads Python interpreters (seconds each) once and shares its servers across its tests.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

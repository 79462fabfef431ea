import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@tsgi/executors',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});

import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@tsgi/cli',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});

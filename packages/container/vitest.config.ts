import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@tsgi/container',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});

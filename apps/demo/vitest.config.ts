import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@tsgi/demo',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});

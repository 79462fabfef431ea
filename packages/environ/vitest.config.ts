import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@tsgi/environ',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});

import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@tsgi/http-server',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});

import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@tsgi/protocol',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});

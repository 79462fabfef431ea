import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@tsgi/interop',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});

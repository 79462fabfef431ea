import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@tsgi/bench',
    include: ['src/**/*.test.mjs'],
  },
});

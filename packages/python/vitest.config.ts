import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@tsgi/python',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Each file loads Python interpreters (seconds each) once and shares its servers across its tests.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Built packages load as Node loads them: the gateway module reads its configuration from its own URL's
    // query, which Vite's module runner would drop.
    server: { deps: { external: [/\/packages\/[^/]+\/dist\//] } },
  },
});

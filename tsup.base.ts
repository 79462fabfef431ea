import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Options } from 'tsup';

/** The build every package shares: ESM only, declarations and source maps, Node 20 syntax. */
export function packageBuild(packageDirectory: string, entry: string[] = ['src/index.ts']): Options {
  const manifest = JSON.parse(readFileSync(resolve(packageDirectory, 'package.json'), 'utf8')) as {
    version: string;
  };
  return {
    entry,
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: true,
    treeshake: true,
    define: { __TSGI_VERSION__: JSON.stringify(manifest.version) },
  };
}

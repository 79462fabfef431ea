import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.ts';

// The worker thread's entry must be a file of its own in dist: `new Worker()` loads it by URL.
export default defineConfig(packageBuild(import.meta.dirname, ['src/index.ts', 'src/worker.ts']));

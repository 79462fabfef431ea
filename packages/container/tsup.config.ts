import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.ts';

// The gateway handler is its own entry: worker threads import dist/gateway-handler.js.
export default defineConfig(packageBuild(import.meta.dirname, ['src/index.ts', 'src/gateway-handler.ts']));

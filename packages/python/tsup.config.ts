import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.ts';

// The gateway is its own entry: every worker thread imports dist/python-gateway.js (its URL carries the
// application's configuration). The Python side (src/gateway.py) is bundled into it as text.
export default defineConfig({
  ...packageBuild(import.meta.dirname, ['src/index.ts', 'src/python-gateway.ts']),
  loader: { '.py': 'text' },
});

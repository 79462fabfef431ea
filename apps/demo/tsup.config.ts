import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.ts';

// Two entries: the server (`dist/main.js`) and the site's gateway application (`dist/app.js`), which each
// worker thread of the pool imports by module reference.
export default defineConfig({
  ...packageBuild(import.meta.dirname),
  entry: { main: 'src/main.ts', app: 'src/site/app.ts' },
  dts: false,
  // The stylesheet is bundled as a string (src/assets/static-assets.ts imports it).
  loader: { '.css': 'text' },
});

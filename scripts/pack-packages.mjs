// Packs every published package (packages/*) into one folder, as the registry would receive them:
// `pnpm pack` turns `workspace:^` into real version ranges. Run after `pnpm build`.
//
//   node scripts/pack-packages.mjs [destination]     (default: ./tarballs)
//
// Then, in any npm project: npm install <destination>/*.tgz
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const destination = resolve(process.argv[2] ?? join(root, 'tarballs'));

rmSync(destination, { recursive: true, force: true });
mkdirSync(destination, { recursive: true });
const result = spawnSync(
  'npx',
  [
    '--yes',
    'pnpm@10.34.9',
    '--recursive',
    '--filter',
    './packages/*',
    'pack',
    '--pack-destination',
    destination,
  ],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' },
);
if (result.status !== 0) {
  process.stdout.write(result.stdout ?? '');
  console.error(`pack-packages: pnpm pack failed (${result.status ?? result.signal})`);
  process.exit(1);
}
const tarballs = readdirSync(destination).filter((name) => name.endsWith('.tgz'));
console.log(`Packed ${tarballs.length} packages into ${destination}:`);
for (const name of tarballs.sort()) console.log(`  ${name}`);
console.log(`Install them together in your project: npm install ${join(destination, '*.tgz')}`);

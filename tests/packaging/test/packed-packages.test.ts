/**
 * tsgi as a new user meets it: every package packed as the registry would receive it, the tarballs installed into
 * a plain npm project (no workspace, no pnpm), and the root README's example compiled and run there.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ListeningProcess, startListening } from '../../../test-support/listening-process.js';

const root = resolve(import.meta.dirname, '../../..');
const packageNames = readdirSync(join(root, 'packages')).sort();

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  repository?: { type: string; url: string; directory: string };
  homepage?: string;
  bugs?: { url: string };
  license?: string;
  dependencies?: Record<string, string>;
}

let workspace: string;
let project: string;

/** The environment of a plain npm user: nothing pnpm or the test runner configured for npm. */
function plainEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')),
  );
}

function run(command: string, args: readonly string[], cwd: string): string {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: plainEnvironment(),
    timeout: 150_000,
  });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

/** The ```ts blocks of the README's "## Example" section, by the file name each one's first comment gives. */
function readmeExample(): Map<string, string> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = /^## Example\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? '';
  const files = new Map<string, string>();
  for (const [, code] of section.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    const name = /^\/\/ ([\w-]+\.ts) /.exec(code!)?.[1];
    if (name === undefined)
      throw new Error(`a README example block does not start with "// <file>.ts":\n${code}`);
    files.set(name, code!);
  }
  return files;
}

beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'tsgi-packaging-'));
  const tarballs = join(workspace, 'tarballs');
  run(process.execPath, [join(root, 'scripts/pack-packages.mjs'), tarballs], root);
  project = join(workspace, 'project');
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'first-tsgi-app', version: '1.0.0', private: true, type: 'module' }, null, 2),
  );
  const files = readdirSync(tarballs).map((name) => join(tarballs, name));
  // Third-party dependencies (commander) come from npm's cache when it has them, else from the registry.
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...files], project);
});

afterAll(() => {
  if (workspace !== undefined) rmSync(workspace, { recursive: true, force: true });
});

describe.each(packageNames)('the @tsgi/%s tarball', (name) => {
  const installed = () => join(project, 'node_modules/@tsgi', name);
  const manifest = () => JSON.parse(readFileSync(join(installed(), 'package.json'), 'utf8')) as Manifest;

  it('holds dist, LICENSE, README.md and package.json, and no tests or sources', () => {
    const entries = readdirSync(installed()).filter((entry) => entry !== 'CHANGELOG.md');
    expect(entries.sort()).toEqual(['LICENSE', 'README.md', 'dist', 'package.json']);
    const dist = readdirSync(join(installed(), 'dist'), { recursive: true }) as string[];
    expect(dist.filter((file) => /\.test\.|\.ts$/.test(file) && !file.endsWith('.d.ts'))).toEqual([]);
    expect(readFileSync(join(installed(), 'LICENSE'), 'utf8')).toBe(
      readFileSync(join(root, 'LICENSE'), 'utf8'),
    );
  });

  it('names its license, repository folder, homepage and issue tracker, and real dependency ranges', () => {
    const { license, repository, homepage, bugs, dependencies } = manifest();
    expect(license).toBe('MIT');
    expect(repository).toMatchObject({ type: 'git', directory: `packages/${name}` });
    expect(repository!.url).toMatch(/^git\+https:\/\/github\.com\/[\w-]+\/[\w-]+\.git$/);
    expect(homepage).toMatch(/^https:\/\/github\.com\/.*#readme$/);
    expect(bugs?.url).toMatch(/^https:\/\/github\.com\/.*\/issues$/);
    for (const [dependency, range] of Object.entries(dependencies ?? {})) {
      expect(range, dependency).not.toMatch(/^workspace:/);
    }
  });

  it('has a README whose links work on the registry page (absolute, or anchors)', () => {
    const readme = readFileSync(join(installed(), 'README.md'), 'utf8');
    const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
    expect(targets.filter((target) => !/^(https:\/\/|#)/.test(target))).toEqual([]);
  });
});

describe("the root README's example, in a plain npm project", () => {
  let server: ListeningProcess | undefined;

  afterAll(async () => {
    await server?.stop('SIGKILL');
  });

  it('compiles against the published types, serves through the thread pool and stops on SIGTERM', async () => {
    const example = readmeExample();
    expect([...example.keys()].sort()).toEqual(['app.ts', 'server.ts']);
    mkdirSync(join(project, 'src'));
    for (const [file, code] of example) writeFileSync(join(project, 'src', file), code);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          outDir: 'dist',
          rootDir: 'src',
          types: ['node'],
          // The user would `npm install -D typescript @types/node`; the monorepo's copies spare the download.
          typeRoots: [join(root, 'node_modules/@types')],
        },
        include: ['src'],
      }),
    );
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    run(process.execPath, [tsc, '-p', 'tsconfig.json'], project);

    server = await startListening(['dist/server.js'], { PORT: '0' }, 30_000, project);
    const hello = await fetch(`${server.url}/caf%C3%A9`);
    expect(hello.status).toBe(200);
    expect(await hello.text()).toBe('Hello from /café\n');
    const health = await fetch(`${server.url}/health`);
    expect(await health.text()).toBe('ok\n');
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('is served by the tsgi command from the @tsgi/cli tarball', async () => {
    const bin = join(project, 'node_modules/@tsgi/cli/dist/cli.js');
    expect(readFileSync(join(project, 'node_modules/.bin/tsgi'), 'utf8')).toBe(readFileSync(bin, 'utf8'));
    server = await startListening(
      [bin, 'serve', './dist/app.js#app', '--port', '0', '--executor', 'inline'],
      {},
      30_000,
      project,
    );
    const response = await fetch(`${server.url}/from-the-cli`);
    expect(await response.text()).toBe('Hello from /from-the-cli\n');
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});

/**
 * `--before <git-ref>`: the tsgi servers as they were at another commit, measured in the same run as the
 * working tree's, so a change's before/after ratios come from one run on one machine state.
 *
 * The commit is checked out once as a detached git worktree under bench/.before/<sha>, installed from the
 * pnpm store and built there; its own bench/servers/tsgi-server.mjs runs against its own packages.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flaskServeArguments } from './servers.mjs';

const benchDirectory = fileURLToPath(new URL('../', import.meta.url));
const pnpm = ['--yes', 'pnpm@10.34.9'];

/** The suffix that names a server built from the before commit: `tsgi-inline@before`. */
export const beforeSuffix = '@before';

/**
 * @typedef {object} BeforeCommit
 * @property {string} ref        As given on the command line.
 * @property {string} commit     The full sha it resolved to.
 * @property {string} directory  The built checkout.
 */

/**
 * @param {string} command
 * @param {string[]} args
 * @param {string} cwd
 */
function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

/**
 * Checks out, installs and builds `ref` (once per commit; later runs reuse the checkout).
 * @param {string} ref
 * @param {(message: string) => void} log
 * @returns {BeforeCommit}
 */
export function prepareBeforeCommit(ref, log) {
  const parsed = run('git', ['rev-parse', '--verify', `${ref}^{commit}`], benchDirectory);
  if (!parsed.ok) throw new Error(`--before: ${ref} is not a commit here: ${parsed.output}`);
  const commit = parsed.output;
  const directory = resolve(benchDirectory, '.before', commit);
  const built = resolve(directory, 'packages/http-server/dist/index.js');
  if (!existsSync(directory)) {
    mkdirSync(resolve(benchDirectory, '.before'), { recursive: true });
    log(`bench: checking out the before commit ${ref} (${commit.slice(0, 10)}) in ${directory}`);
    const added = run('git', ['worktree', 'add', '--detach', directory, commit], benchDirectory);
    if (!added.ok) throw new Error(`--before: git worktree add failed: ${added.output}`);
  }
  if (!existsSync(built) || !existsSync(resolve(directory, 'bench/node_modules'))) {
    log('bench: installing and building the before commit (once per commit)');
    // Offline first: the store already holds what a recent commit's lockfile names.
    let installed = run('npx', [...pnpm, 'install', '--frozen-lockfile', '--offline'], directory);
    if (!installed.ok) installed = run('npx', [...pnpm, 'install', '--frozen-lockfile'], directory);
    if (!installed.ok) throw new Error(`--before: pnpm install failed:\n${installed.output}`);
    const build = run(
      'npx',
      [...pnpm, 'exec', 'turbo', 'run', 'build', '--filter=@tsgi/bench...'],
      directory,
    );
    if (!build.ok) throw new Error(`--before: the build failed:\n${build.output}`);
  }
  if (!existsSync(resolve(directory, 'bench/servers/tsgi-server.mjs'))) {
    throw new Error(`--before: ${ref} has no bench/servers/tsgi-server.mjs to run`);
  }
  return { ref, commit, directory };
}

/**
 * The command that starts a tsgi server from the before commit checkout.
 * @param {BeforeCommit} before
 * @param {'tsgi-inline' | 'tsgi-thread' | 'tsgi-native' | 'tsgi-flask'} server
 * @param {{ env: Record<string, string>, cpuProfile: boolean }} context
 * @returns {import('./server-process.mjs').ServerCommand}
 */
export function beforeServerCommand(before, server, context) {
  const profiles = resolve(benchDirectory, 'profiles', `${server}${beforeSuffix}`);
  const serve =
    server === 'tsgi-flask'
      ? flaskServeArguments(
          resolve(before.directory, 'packages/cli/dist/cli.js'),
          `${resolve(before.directory, 'bench/servers')}/`,
        )
      : [resolve(before.directory, 'bench/servers/tsgi-server.mjs'), server.slice('tsgi-'.length)];
  return {
    command: process.execPath,
    args: [...(context.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${profiles}`] : []), ...serve],
    env: context.env,
    cwd: resolve(before.directory, 'bench'),
  };
}

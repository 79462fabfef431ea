/**
 * How to start each server under test, or why it cannot run on this machine.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const serversDirectory = fileURLToPath(new URL('../servers/', import.meta.url));
const profilesDirectory = fileURLToPath(new URL('../profiles/', import.meta.url));

/**
 * Whether the tsgi packages are built and export what the tsgi servers use; the reason when not.
 * @returns {Promise<string | undefined>}
 */
export async function tsgiUnavailableReason() {
  /** @type {[string, string[]][]} */
  const needed = [
    ['@tsgi/container', ['WSGIContainer']],
    ['@tsgi/executors', ['InlineExecutor', 'ThreadPoolExecutor']],
    ['@tsgi/http-server', ['HTTPServer', 'RuleRouter']],
  ];
  for (const [specifier, names] of needed) {
    /** @type {Record<string, unknown>} */
    let namespace;
    try {
      namespace = await import(specifier);
    } catch (error) {
      return `${specifier} does not load (run pnpm build): ${String(error).split('\n')[0]}`;
    }
    const missing = names.filter((name) => namespace[name] === undefined);
    if (missing.length > 0) return `${specifier} does not export ${missing.join(', ')} yet`;
  }
  return undefined;
}

/**
 * @param {import('./catalogue.mjs').ServerName} name
 * @param {{ tools: import('./tools.mjs').Tools, env: Record<string, string>, cpuProfile: boolean, tsgiUnavailable: string | undefined }} context
 * @returns {import('./server-process.mjs').ServerCommand | { unavailable: string }}
 */
export function serverCommand(name, context) {
  const { tools, env } = context;
  const node = (/** @type {string} */ script, /** @type {string[]} */ args = []) => ({
    command: process.execPath,
    args: [
      ...(context.cpuProfile
        ? [
            '--cpu-prof',
            `--cpu-prof-dir=${profilesDirectory}`,
            `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`,
          ]
        : []),
      `${serversDirectory}${script}`,
      ...args,
    ],
    env,
  });
  switch (name) {
    case 'raw-node':
      return node('raw-node.mjs');
    case 'tsgi-inline':
    case 'tsgi-thread':
    case 'tsgi-native':
      if (context.tsgiUnavailable) return { unavailable: context.tsgiUnavailable };
      return node('tsgi-server.mjs', [name.slice('tsgi-'.length)]);
    case 'tornado':
      if (!tools.python || !tools.tornado) return { unavailable: 'python3-tornado is not installed' };
      return { command: tools.python, args: [`${serversDirectory}tornado_server.py`], env };
    case 'gunicorn':
      if (!tools.python || !tools.gunicorn) return { unavailable: 'gunicorn is not installed' };
      if (!existsSync(`${serversDirectory}app.py`)) return { unavailable: 'servers/app.py is missing' };
      return {
        command: tools.python,
        args: [
          '-m',
          'gunicorn',
          '--workers=2',
          '--worker-class=sync',
          '--bind=127.0.0.1:0',
          '--graceful-timeout=2',
          `--chdir=${serversDirectory}`,
          'app:application',
        ],
        env,
      };
  }
}

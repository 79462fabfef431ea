/**
 * How to start each server under test, or why it cannot run on this machine.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const serversDirectory = fileURLToPath(new URL('../servers/', import.meta.url));
const profilesDirectory = fileURLToPath(new URL('../profiles/', import.meta.url));

/** What each tsgi server imports from our packages. */
const tsgiNeeds = {
  'tsgi-native': [['@tsgi/http-server', ['HTTPServer', 'RuleRouter']]],
  'tsgi-inline': [
    ['@tsgi/http-server', ['HTTPServer', 'RuleRouter']],
    ['@tsgi/container', ['WSGIContainer']],
    ['@tsgi/executors', ['InlineExecutor']],
  ],
  'tsgi-thread': [
    ['@tsgi/http-server', ['HTTPServer', 'RuleRouter']],
    ['@tsgi/container', ['WSGIContainer']],
    ['@tsgi/executors', ['ThreadPoolExecutor']],
  ],
  'tsgi-flask': [
    ['@tsgi/cli', ['createProgram']],
    ['@tsgi/python', ['pythonApplication']],
  ],
};

/** Debian's python3-flask: the Flask servers add it to sys.path (tsgi's interpreters mount it read-only). */
const distPackages = '/usr/lib/python3/dist-packages';
/** The `tsgi` command, built. */
const tsgiCommand = fileURLToPath(new URL('../../packages/cli/dist/cli.js', import.meta.url));

/**
 * `tsgi serve` for the Flask application (servers/flask_app.py) on 2 worker threads, from a checkout's CLI.
 * @param {string} cli  the checkout's packages/cli/dist/cli.js
 * @param {string} servers  the checkout's bench/servers/ directory
 * @returns {string[]}
 */
export function flaskServeArguments(cli, servers) {
  return [
    cli,
    'serve',
    '--python',
    'flask_app:app',
    `--chdir=${servers}`,
    `--python-path=${distPackages}`,
    '--workers=2',
    '--port=0',
  ];
}

/**
 * Whether the tsgi packages a tsgi server needs are built and export what it uses; the reason when not.
 * @param {'tsgi-native' | 'tsgi-inline' | 'tsgi-thread' | 'tsgi-flask'} server
 * @returns {Promise<string | undefined>}
 */
export async function tsgiUnavailableReason(server) {
  for (const [specifier, names] of /** @type {[string, string[]][]} */ (tsgiNeeds[server])) {
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
 *   `tsgiUnavailable`: for a tsgi server, why it cannot run (from `tsgiUnavailableReason`)
 * @returns {import('./server-process.mjs').ServerCommand | { unavailable: string }}
 */
export function serverCommand(name, context) {
  const { tools, env } = context;
  const node = (/** @type {string} */ script, /** @type {string[]} */ args = []) => ({
    command: process.execPath,
    args: [
      // One directory per server; node names each file by time and pid, so fresh processes do not overwrite.
      ...(context.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${profilesDirectory}${name}`] : []),
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
    case 'tsgi-flask':
      if (context.tsgiUnavailable) return { unavailable: context.tsgiUnavailable };
      if (!tools.flask) return { unavailable: 'python3-flask is not installed' };
      return {
        command: process.execPath,
        args: [
          ...(context.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${profilesDirectory}${name}`] : []),
          ...flaskServeArguments(tsgiCommand, serversDirectory),
        ],
        env,
      };
    case 'tornado-flask':
      if (!tools.python || !tools.tornado) return { unavailable: 'python3-tornado is not installed' };
      if (!tools.flask) return { unavailable: 'python3-flask is not installed' };
      return { command: tools.python, args: [`${serversDirectory}tornado_server.py`, 'flask_app:app'], env };
    case 'gunicorn-flask':
      if (!tools.python || !tools.gunicorn) return { unavailable: 'gunicorn is not installed' };
      if (!tools.flask) return { unavailable: 'python3-flask is not installed' };
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
          'flask_app:app',
        ],
        env,
      };
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

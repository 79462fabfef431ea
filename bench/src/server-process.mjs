/**
 * One server under test as a child process: started fresh, asked for its port, measured, then stopped with
 * its whole process tree (gunicorn's workers included).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Lines a server prints once it accepts connections: ours print `LISTENING <port>`, gunicorn logs its address. */
const listeningPattern = /(?:LISTENING |Listening at: http:\/\/127\.0\.0\.1:)(\d+)/;

/**
 * @typedef {object} ServerCommand
 * @property {string} command
 * @property {string[]} args
 * @property {Record<string, string>} [env]
 * @property {string} [cwd]
 * @property {string[]} [nodeOptions]  Extra flags for a Node server (e.g. --cpu-prof).
 */

/**
 * @typedef {object} RunningServer
 * @property {number} pid
 * @property {number} port
 * @property {() => number} rssBytes  The resident memory of the server and all its descendants.
 * @property {() => Promise<void>} stop
 * @property {() => string} output     What the server printed (for error reports).
 */

/** Servers started and not yet stopped, so an interrupted run can stop them. */
/** @type {Set<RunningServer>} */
const running = new Set();

/** Stops every server still running (on Ctrl-C). */
export async function stopAllServers() {
  await Promise.all([...running].map((server) => server.stop()));
}

/**
 * The port a server announced in its output, if it did.
 * @param {string} output
 * @returns {number | undefined}
 */
export function announcedPort(output) {
  const match = listeningPattern.exec(output);
  return match ? Number(match[1]) : undefined;
}

/**
 * @param {ServerCommand} command
 * @param {number} [startTimeoutMs]
 * @returns {Promise<RunningServer>}
 */
export function startServer(command, startTimeoutMs = 30_000) {
  const child = spawn(command.command, command.args, {
    cwd: command.cwd,
    env: { ...process.env, ...command.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exited = false;
  /** @type {RunningServer} */
  const server = { pid: 0, port: 0, rssBytes: () => 0, stop: () => stop(), output: () => output };
  const exit = new Promise((resolve) => {
    child.on('exit', () => {
      exited = true;
      resolve(undefined);
    });
  });

  const stop = async () => {
    running.delete(server);
    if (exited) return;
    const tree = processTree(child.pid ?? 0);
    child.kill('SIGTERM');
    const stopped = await Promise.race([exit.then(() => true), delay(3000).then(() => false)]);
    // A server that ignores SIGTERM, and any worker left behind, is killed outright.
    for (const pid of stopped ? tree.slice(1) : tree) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await exit;
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(
        new Error(`server did not announce a port within ${startTimeoutMs} ms:\n${output.slice(-2000)}`),
      );
    }, startTimeoutMs);
    const onOutput = (/** @type {string} */ text) => {
      output += text;
      if (output.length > 100_000) output = output.slice(-50_000);
      const port = announcedPort(output);
      if (port === undefined || child.pid === undefined) return;
      clearTimeout(timer);
      child.stdout.off('data', onOutput);
      child.stderr.off('data', onOutput);
      // Keep draining the pipes so a chatty server never blocks on a full pipe.
      child.stdout.on('data', (more) => {
        output = (output + more).slice(-50_000);
      });
      child.stderr.on('data', (more) => {
        output = (output + more).slice(-50_000);
      });
      const pid = child.pid;
      Object.assign(server, { pid, port, rssBytes: () => treeRssBytes(pid) });
      running.add(server);
      resolve(server);
    };
    child.stdout.setEncoding('utf8').on('data', onOutput);
    child.stderr.setEncoding('utf8').on('data', onOutput);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`server exited before announcing a port:\n${output.slice(-2000)}`));
    });
  });
}

/** @param {number} milliseconds */
export function delay(milliseconds) {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/**
 * The pid and all its descendants, parents first (read from /proc).
 * @param {number} rootPid
 * @returns {number[]}
 */
function processTree(rootPid) {
  /** @type {Map<number, number[]>} */
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = parentPid(Number(entry));
    if (parent === undefined) continue;
    const siblings = children.get(parent) ?? [];
    siblings.push(Number(entry));
    children.set(parent, siblings);
  }
  const tree = [rootPid];
  for (let index = 0; index < tree.length; index++)
    tree.push(...(children.get(/** @type {number} */ (tree[index])) ?? []));
  return tree;
}

/** @param {number} pid */
function parentPid(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: fields after the last ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

/** @param {number} rootPid */
function treeRssBytes(rootPid) {
  let total = 0;
  for (const pid of processTree(rootPid)) {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) total += Number(match[1]) * 1024;
    } catch {
      // the process ended between listing and reading
    }
  }
  return total;
}

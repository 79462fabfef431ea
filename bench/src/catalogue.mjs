/**
 * What the benchmark measures: the servers (in the order tables and charts show them) and the workloads.
 */

/** @typedef {'raw-node' | 'tsgi-inline' | 'tsgi-thread' | 'tsgi-native' | 'tornado' | 'gunicorn' | 'tsgi-flask' | 'gunicorn-flask' | 'tornado-flask'} ServerName */
/** @typedef {'hello' | 'echo' | 'stream' | 'cpu' | 'responsiveness' | 'slow-reader' | 'flask-hello' | 'flask-echo'} WorkloadName */

/** The reference every ratio is taken against: raw node:http, measured in the same run. */
export const baselineServer = 'raw-node';

/** @type {readonly ServerName[]} */
export const serverNames = [
  'raw-node',
  'tsgi-inline',
  'tsgi-thread',
  'tsgi-native',
  'tornado',
  'gunicorn',
  'tsgi-flask',
  'gunicorn-flask',
  'tornado-flask',
];

/**
 * The servers of one Flask application (servers/flask_app.py): they serve only the `flask-*` workloads, and
 * the other servers only the others. raw node:http serves every workload: every ratio needs it.
 * @type {readonly ServerName[]}
 */
export const flaskServers = ['tsgi-flask', 'gunicorn-flask', 'tornado-flask'];

/** @type {Record<ServerName, string>} */
export const serverLabels = {
  'raw-node': 'raw node:http',
  'tsgi-inline': 'tsgi WSGIContainer + InlineExecutor',
  'tsgi-thread': 'tsgi WSGIContainer + ThreadPoolExecutor',
  'tsgi-native': 'tsgi native handler (RuleRouter)',
  tornado: "Tornado's WSGIContainer",
  gunicorn: 'gunicorn, 2 sync workers',
  'tsgi-flask': 'Flask on tsgi --python, 2 worker threads',
  'gunicorn-flask': 'Flask on gunicorn, 2 sync workers',
  'tornado-flask': "Flask on Tornado's WSGIContainer",
};

/** @type {Record<ServerName, string>} */
export const serverColours = {
  'raw-node': '#7f7f7f',
  'tsgi-inline': '#1f77b4',
  'tsgi-thread': '#2ca02c',
  'tsgi-native': '#17becf',
  tornado: '#ff7f0e',
  gunicorn: '#d62728',
  'tsgi-flask': '#9467bd',
  'gunicorn-flask': '#8c564b',
  'tornado-flask': '#e377c2',
};

/** What a before server's name ends with (`--before`: the same server built from another commit). */
const beforeMarker = '@before';

/**
 * A server's label in tables and charts; a before server is labelled after the server it is a copy of.
 * @param {string} server
 */
export function serverLabel(server) {
  if (server.endsWith(beforeMarker)) {
    const base = server.slice(0, -beforeMarker.length);
    return `${serverLabels[/** @type {ServerName} */ (base)] ?? base} — before`;
  }
  return serverLabels[/** @type {ServerName} */ (server)] ?? server;
}

/**
 * A server's colour in charts; a before server gets its counterpart's colour, lightened.
 * @param {string} server
 */
export function serverColour(server) {
  if (server.endsWith(beforeMarker)) {
    const base =
      serverColours[/** @type {ServerName} */ (server.slice(0, -beforeMarker.length))] ?? '#444444';
    const mixed = [1, 3, 5].map((at) =>
      Math.round((Number.parseInt(base.slice(at, at + 2), 16) + 255 * 2) / 3),
    );
    return `#${mixed.map((channel) => channel.toString(16).padStart(2, '0')).join('')}`;
  }
  return serverColours[/** @type {ServerName} */ (server)] ?? '#444';
}

/**
 * @typedef {object} LoadWorkload
 * @property {'load'} kind
 * @property {string} path
 * @property {number} connections
 * @property {number} [bodyBytes]  POST this many bytes with every request.
 * @property {{ path: string, connections: number }} [background]  Load that runs meanwhile (not reported).
 * @property {number} [minimumSeconds]  A floor for the measured run (a p99 at 1 connection needs samples).
 * @property {number} [warmupSeconds]  A longer warm-up for every server of this workload (not with --quick).
 * @property {string} description
 */

/**
 * @typedef {object} SlowReaderWorkload
 * @property {'slow-reader'} kind
 * @property {string} path
 * @property {string} description
 */

/** @type {Record<WorkloadName, LoadWorkload | SlowReaderWorkload>} */
export const workloads = {
  hello: { kind: 'load', path: '/hello', connections: 50, description: 'GET, 13-byte body, 50 connections' },
  echo: {
    kind: 'load',
    path: '/echo',
    connections: 16,
    bodyBytes: 64 * 1024,
    description: 'POST 64 KiB read from wsgi.input, reply its length, 16 connections',
  },
  stream: {
    kind: 'load',
    path: '/stream',
    connections: 16,
    description: 'a generator of 100 chunks of 1 KiB, 16 connections',
  },
  cpu: {
    kind: 'load',
    path: '/cpu',
    connections: 8,
    description: '~5 ms of synchronous sha256, 8 connections',
  },
  responsiveness: {
    kind: 'load',
    path: '/ping',
    connections: 1,
    background: { path: '/cpu', connections: 8 },
    minimumSeconds: 3,
    description: 'a trivial route at 1 connection while cpu runs at 8 connections',
  },
  'flask-hello': {
    kind: 'load',
    path: '/hello',
    connections: 50,
    // V8 compiles the interpreter's hot WebAssembly functions with TurboFan during the first seconds: measure
    // every Flask server after the same longer warm-up, so tsgi's figure is its steady state.
    warmupSeconds: 5,
    description: 'Flask: GET, a 13-byte view, 50 connections',
  },
  'flask-echo': {
    kind: 'load',
    path: '/echo',
    connections: 16,
    bodyBytes: 64 * 1024,
    description: 'Flask: POST 64 KiB read with request.get_data(), reply its length, 16 connections',
  },
  'slow-reader': {
    kind: 'slow-reader',
    path: '/large',
    description: 'raw-socket clients request a large streamed response and stop reading; peak RSS growth',
  },
};

/** @type {readonly WorkloadName[]} */
export const workloadNames = /** @type {WorkloadName[]} */ (Object.keys(workloads));

/** The workloads whose headline figure is requests/s (charted as a ratio to raw node:http). */
/** @type {readonly WorkloadName[]} */
export const throughputWorkloads = ['hello', 'echo', 'stream', 'cpu', 'flask-hello', 'flask-echo'];

/**
 * Whether `server` (a before server like its counterpart) is measured on `workload`.
 * @param {string} server
 * @param {string} workload
 */
export function servesWorkload(server, workload) {
  const base = /** @type {ServerName} */ (
    server.endsWith(beforeMarker) ? server.slice(0, -beforeMarker.length) : server
  );
  if (base === baselineServer) return true;
  return flaskServers.includes(base) === workload.startsWith('flask-');
}

/**
 * The targets, evaluated on one run's measurements. Ratios are paired round by round (see results.mjs).
 */
import { pairedRatio } from './results.mjs';
import { summarize } from './statistics.mjs';

/** @typedef {import('./results.mjs').Measurement} Measurement */

/** Peak RSS growth under stalled readers that still counts as flat (a buffered response is ≥ 64 MiB). */
export const flatMemoryMiB = 32;

/**
 * @typedef {object} TargetResult
 * @property {string} id
 * @property {string} description
 * @property {'met' | 'missed' | 'not measured'} status
 * @property {number | undefined} measured  The median.
 * @property {number | undefined} min
 * @property {number | undefined} max
 * @property {number} threshold
 * @property {'×' | 'ms' | 'MiB' | 's'} unit
 * @property {string} [note]
 */

/**
 * @typedef {object} TargetDefinition
 * @property {string} id
 * @property {string} description
 * @property {number} threshold
 * @property {'at-least' | 'at-most'} direction
 * @property {'×' | 'ms' | 'MiB' | 's'} unit
 * @property {(measurements: readonly Measurement[]) => import('./statistics.mjs').Summary | undefined} measure
 * @property {string} [note]
 */

/**
 * @param {readonly Measurement[]} measurements
 * @param {string} workload
 * @param {string} server
 * @param {import('./results.mjs').MetricName} metric
 */
function medianOf(measurements, workload, server, metric) {
  const values = measurements.flatMap((m) =>
    m.workload === workload && m.server === server && !m.error && m[metric] !== undefined
      ? [/** @type {number} */ (m[metric])]
      : [],
  );
  return values.length > 0 ? summarize(values) : undefined;
}

/** @type {readonly TargetDefinition[]} */
export const targetDefinitions = [
  {
    id: 'inline-hello',
    description: 'inline `hello` ≥ 0.9× raw node:http',
    threshold: 0.9,
    direction: 'at-least',
    unit: '×',
    measure: (m) => pairedRatio(m, 'hello', 'tsgi-inline', 'raw-node', 'requestsPerSecond'),
  },
  {
    id: 'inline-echo',
    description: 'inline `echo` ≥ 0.85× raw node:http',
    threshold: 0.85,
    direction: 'at-least',
    unit: '×',
    measure: (m) => pairedRatio(m, 'echo', 'tsgi-inline', 'raw-node', 'requestsPerSecond'),
  },
  {
    id: 'native-hello',
    description: 'native handler `hello` ≥ 0.95× raw node:http',
    threshold: 0.95,
    direction: 'at-least',
    unit: '×',
    measure: (m) => pairedRatio(m, 'hello', 'tsgi-native', 'raw-node', 'requestsPerSecond'),
  },
  {
    id: 'native-echo',
    description: 'native handler `echo` ≥ 0.9× raw node:http',
    threshold: 0.9,
    direction: 'at-least',
    unit: '×',
    measure: (m) => pairedRatio(m, 'echo', 'tsgi-native', 'raw-node', 'requestsPerSecond'),
  },
  {
    id: 'native-stream',
    description: 'native handler `stream` ≥ 1.0× raw node:http writing each chunk',
    threshold: 1,
    direction: 'at-least',
    unit: '×',
    measure: (m) => pairedRatio(m, 'stream', 'tsgi-native', 'raw-node', 'requestsPerSecond'),
  },
  {
    id: 'thread-hello',
    description: 'thread-pool `hello` ≥ 0.6× raw node:http',
    threshold: 0.6,
    direction: 'at-least',
    unit: '×',
    measure: (m) => pairedRatio(m, 'hello', 'tsgi-thread', 'raw-node', 'requestsPerSecond'),
  },
  {
    id: 'thread-echo',
    description: 'thread-pool `echo` ≥ 0.5× raw node:http',
    threshold: 0.5,
    direction: 'at-least',
    unit: '×',
    measure: (m) => pairedRatio(m, 'echo', 'tsgi-thread', 'raw-node', 'requestsPerSecond'),
  },
  {
    id: 'thread-echo-gunicorn',
    description: 'thread-pool `echo` ≥ 1.5× gunicorn -w 2',
    threshold: 1.5,
    direction: 'at-least',
    unit: '×',
    measure: (m) => pairedRatio(m, 'echo', 'tsgi-thread', 'gunicorn', 'requestsPerSecond'),
  },
  {
    id: 'thread-stream',
    description: 'thread-pool `stream` ≥ 1.5× raw node:http writing each chunk',
    threshold: 1.5,
    direction: 'at-least',
    unit: '×',
    measure: (m) => pairedRatio(m, 'stream', 'tsgi-thread', 'raw-node', 'requestsPerSecond'),
  },
  {
    id: 'thread-cpu',
    description: 'thread-pool `cpu` ≥ 1.85× inline',
    threshold: 1.85,
    direction: 'at-least',
    unit: '×',
    measure: (m) => pairedRatio(m, 'cpu', 'tsgi-thread', 'tsgi-inline', 'requestsPerSecond'),
  },
  {
    id: 'thread-cpu-gunicorn',
    description: 'thread-pool `cpu` ≥ 1.0× gunicorn -w 2',
    threshold: 1,
    direction: 'at-least',
    unit: '×',
    measure: (m) => pairedRatio(m, 'cpu', 'tsgi-thread', 'gunicorn', 'requestsPerSecond'),
  },
  {
    id: 'thread-responsiveness',
    description: '`responsiveness` p99 ≤ 3 ms with the thread pool',
    threshold: 3,
    direction: 'at-most',
    unit: 'ms',
    measure: (m) => medianOf(m, 'responsiveness', 'tsgi-thread', 'p99Ms'),
  },
  {
    id: 'inline-stream',
    description: 'inline `stream` ≥ 2.0× raw node:http writing each chunk',
    threshold: 2,
    direction: 'at-least',
    unit: '×',
    measure: (m) => pairedRatio(m, 'stream', 'tsgi-inline', 'raw-node', 'requestsPerSecond'),
  },
  {
    id: 'slow-reader-flat',
    description: `\`slow-reader\` memory flat (peak RSS growth ≤ ${flatMemoryMiB} MiB, worst tsgi server)`,
    threshold: flatMemoryMiB,
    direction: 'at-most',
    unit: 'MiB',
    measure: (m) => {
      const perServer = ['tsgi-inline', 'tsgi-thread', 'tsgi-native'].flatMap((server) => {
        const summary = medianOf(m, 'slow-reader', server, 'peakGrowthMiB');
        return summary ? [summary] : [];
      });
      if (perServer.length === 0) return undefined;
      return perServer.reduce((worst, summary) => (summary.median > worst.median ? summary : worst));
    },
  },
  {
    id: 'flask-hello-gunicorn',
    description: 'Flask `flask-hello` on tsgi --python ≥ 1.0× gunicorn -w 2',
    threshold: 1,
    direction: 'at-least',
    unit: '×',
    measure: (m) => pairedRatio(m, 'flask-hello', 'tsgi-flask', 'gunicorn-flask', 'requestsPerSecond'),
  },
  {
    id: 'flask-hello-tornado',
    description: "Flask `flask-hello` on tsgi --python ≥ 1.5× Tornado's WSGIContainer",
    threshold: 1.5,
    direction: 'at-least',
    unit: '×',
    measure: (m) => pairedRatio(m, 'flask-hello', 'tsgi-flask', 'tornado-flask', 'requestsPerSecond'),
  },
  {
    id: 'flask-startup',
    description: 'tsgi --python (Flask, 2 interpreters): start-up to first answer ≤ 10 s',
    threshold: 10,
    direction: 'at-most',
    unit: 's',
    measure: (m) => medianOf(m, 'flask-hello', 'tsgi-flask', 'startupSeconds'),
  },
];

/**
 * @param {readonly Measurement[]} measurements
 * @param {readonly TargetDefinition[]} [definitions]
 * @returns {TargetResult[]}
 */
export function evaluateTargets(measurements, definitions = targetDefinitions) {
  return definitions.map((definition) => {
    const summary = definition.measure(measurements);
    const base = {
      id: definition.id,
      description: definition.description,
      threshold: definition.threshold,
      unit: definition.unit,
    };
    if (!summary)
      return { ...base, status: 'not measured', measured: undefined, min: undefined, max: undefined };
    const met =
      definition.direction === 'at-least'
        ? summary.median >= definition.threshold
        : summary.median <= definition.threshold;
    return {
      ...base,
      status: met ? 'met' : 'missed',
      measured: summary.median,
      min: summary.min,
      max: summary.max,
    };
  });
}

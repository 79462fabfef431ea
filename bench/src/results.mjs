/**
 * From the rounds' raw measurements to the figures we report: the median and min–max spread of each metric,
 * and ratios to raw node:http taken round by round (a server and the baseline measured minutes apart on a
 * shared box are not comparable; the same round's are).
 */
import { baselineServer } from './catalogue.mjs';
import { summarize } from './statistics.mjs';

/** @typedef {import('./statistics.mjs').Summary} Summary */

/**
 * One figure set from one round: what wrk or the slow-reader probe measured for one server and workload.
 * @typedef {object} Measurement
 * @property {number} round
 * @property {string} server
 * @property {string} workload
 * @property {number} [requestsPerSecond]
 * @property {number} [p50Ms]
 * @property {number} [p99Ms]
 * @property {number} [backgroundRequestsPerSecond]  responsiveness: the cpu load that ran meanwhile
 * @property {number} [peakGrowthMiB]                slow-reader: peak RSS above the idle baseline
 * @property {number} [baselineMiB]                  slow-reader: RSS before the clients connected
 * @property {number} [startupSeconds]               load workloads: from the spawn to the first answer
 * @property {string} [error]                        the round failed; its figures are left out
 */

/** Metrics that get a median and spread. */
export const metricNames = /** @type {const} */ ([
  'requestsPerSecond',
  'p50Ms',
  'p99Ms',
  'backgroundRequestsPerSecond',
  'peakGrowthMiB',
  'baselineMiB',
  'startupSeconds',
]);
/** Metrics that also get a ratio to raw node:http. */
export const ratioMetricNames = /** @type {const} */ (['requestsPerSecond', 'p50Ms', 'p99Ms']);

/** @typedef {typeof metricNames[number]} MetricName */

/**
 * @typedef {object} ServerResult
 * @property {Partial<Record<MetricName, Summary>>} metrics
 * @property {Partial<Record<typeof ratioMetricNames[number], Summary>>} ratioToRaw
 * @property {string[]} errors  Why rounds failed, if any did.
 */

/**
 * The ratio `server / reference` for one metric, paired round by round, summarized.
 * @param {readonly Measurement[]} measurements
 * @param {string} workload
 * @param {string} server
 * @param {string} reference
 * @param {MetricName} metric
 * @returns {Summary | undefined}  undefined when no round measured both
 */
export function pairedRatio(measurements, workload, server, reference, metric) {
  /** @type {Map<number, number>} */
  const referenceByRound = new Map();
  for (const m of measurements) {
    const value = m.workload === workload && m.server === reference && !m.error ? m[metric] : undefined;
    if (value !== undefined && value > 0) referenceByRound.set(m.round, value);
  }
  const ratios = [];
  for (const m of measurements) {
    if (m.workload !== workload || m.server !== server || m.error) continue;
    const value = m[metric];
    const referenceValue = referenceByRound.get(m.round);
    if (value !== undefined && referenceValue !== undefined) ratios.push(value / referenceValue);
  }
  return ratios.length > 0 ? summarize(ratios) : undefined;
}

/**
 * @param {readonly Measurement[]} measurements
 * @returns {Record<string, Record<string, ServerResult>>}  results[workload][server]
 */
export function aggregate(measurements) {
  /** @type {Record<string, Record<string, ServerResult>>} */
  const results = {};
  for (const { workload, server } of measurements) {
    if (results[workload]?.[server]) continue;
    const rounds = measurements.filter((m) => m.workload === workload && m.server === server);
    /** @type {ServerResult} */
    const result = {
      metrics: {},
      ratioToRaw: {},
      errors: rounds.flatMap((m) => (m.error ? [`round ${m.round}: ${m.error}`] : [])),
    };
    for (const metric of metricNames) {
      const values = rounds.flatMap((m) =>
        !m.error && m[metric] !== undefined ? [/** @type {number} */ (m[metric])] : [],
      );
      if (values.length > 0) result.metrics[metric] = summarize(values);
    }
    for (const metric of ratioMetricNames) {
      const ratio = pairedRatio(measurements, workload, server, baselineServer, metric);
      if (ratio) result.ratioToRaw[metric] = ratio;
    }
    results[workload] = { ...results[workload], [server]: result };
  }
  return results;
}

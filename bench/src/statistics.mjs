/**
 * Summaries of repeated measurements: the median is the figure we report, the min–max spread says how much
 * the rounds disagreed (on a shared 2-core box that is often ±20–40 %).
 */

/**
 * @typedef {object} Summary
 * @property {number} median
 * @property {number} min
 * @property {number} max
 * @property {number[]} values  Every round's value, in the order measured.
 */

/** @param {readonly number[]} values */
export function median(values) {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? /** @type {number} */ (sorted[middle])
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * @param {readonly number[]} values
 * @returns {Summary}
 */
export function summarize(values) {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length === 0) throw new RangeError('summary of no finite values');
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite), values: [...finite] };
}

/**
 * The spread as a fraction of the median: (max − min) / median.
 * @param {Summary} summary
 */
export function relativeSpread(summary) {
  return summary.median === 0 ? 0 : (summary.max - summary.min) / summary.median;
}

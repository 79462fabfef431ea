/**
 * Keeps the root README's Performance table in step with the committed run: the text between the
 * `performance-table` markers is replaced whenever results are written to bench/results.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { busyMachineWarning, machineLine, summaryTable, targetsTable } from './report.mjs';

const start = '<!-- performance-table:start -->';
const end = '<!-- performance-table:end -->';

/**
 * @param {string} text
 * @param {string} content
 * @returns {string | undefined}  undefined when the markers are missing or out of order
 */
export function replaceBetweenMarkers(text, content) {
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to < from) return undefined;
  return `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`;
}

/** @param {import('./report.mjs').BenchDocument} document */
export function readmeTable(document) {
  const run =
    document.mode === 'quick'
      ? `**Quick smoke run** of ${document.startedAt} (\`pnpm bench --quick\`: short rounds, noisy figures; a full run replaces it)`
      : `Run of ${document.startedAt}`;
  const busy = busyMachineWarning(document);
  return [
    `${run}. ${machineLine(document)}`,
    ...(busy ? ['', `**${busy}**`] : []),
    '',
    summaryTable(document),
    '',
    targetsTable(document),
  ].join('\n');
}

/**
 * @param {string} readmePath
 * @param {import('./report.mjs').BenchDocument} document
 * @returns {boolean}  whether the README had the markers and was updated
 */
export function updateReadme(readmePath, document) {
  if (!existsSync(readmePath)) return false;
  const updated = replaceBetweenMarkers(readFileSync(readmePath, 'utf8'), readmeTable(document));
  if (updated === undefined) return false;
  writeFileSync(readmePath, updated);
  return true;
}

#!/usr/bin/env node
/**
 * Redraws latest.md and latest.svg (and, for bench/results, the root README's table) from a saved latest.json (after a change to the report or the chart, or to
 * print a run again): `node bench/src/render.mjs [bench/results/latest.json]`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderChart } from './chart.mjs';
import { updateReadme } from './readme-table.mjs';
import { markdownReport } from './report.mjs';

const file = resolve(process.argv[2] ?? fileURLToPath(new URL('../results/latest.json', import.meta.url)));
/** @type {import('./report.mjs').BenchDocument} */
const document = JSON.parse(readFileSync(file, 'utf8'));
const report = markdownReport(document);
writeFileSync(resolve(dirname(file), 'latest.md'), report);
writeFileSync(resolve(dirname(file), 'latest.svg'), renderChart(document));
const resultsDirectory = fileURLToPath(new URL('../results/', import.meta.url));
if (resolve(dirname(file)) === resolve(resultsDirectory)) {
  updateReadme(fileURLToPath(new URL('../../README.md', import.meta.url)), document);
}
console.log(report);

#!/usr/bin/env node
/**
 * Redraws latest.md and latest.svg from a saved latest.json (after a change to the report or the chart, or to
 * print a run again): `node bench/src/render.mjs [bench/results/latest.json]`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderChart } from './chart.mjs';
import { markdownReport } from './report.mjs';

const file = resolve(process.argv[2] ?? fileURLToPath(new URL('../results/latest.json', import.meta.url)));
/** @type {import('./report.mjs').BenchDocument} */
const document = JSON.parse(readFileSync(file, 'utf8'));
const report = markdownReport(document);
writeFileSync(resolve(dirname(file), 'latest.md'), report);
writeFileSync(resolve(dirname(file), 'latest.svg'), renderChart(document));
console.log(report);

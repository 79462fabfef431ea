import { describe, expect, test } from 'vitest';
import {
  formatMs,
  formatRatio,
  formatSummary,
  markdownReport,
  markdownTable,
  summaryTable,
} from './report.mjs';
import { sampleDocument } from './sample-document.test-fixture.mjs';

/** Tables are padded for alignment; the assertions read them with single spaces. @param {string} text */
const squeeze = (text) => text.replace(/ {2,}/g, ' ');

describe('formatting', () => {
  test('a summary reads "median (min–max)", or just the value when the rounds agree', () => {
    expect(formatSummary({ median: 2, min: 1, max: 3, values: [1, 2, 3] }, formatRatio)).toBe(
      '2.00× (1.00×–3.00×)',
    );
    expect(formatSummary({ median: 2, min: 2, max: 2, values: [2, 2] }, formatRatio)).toBe('2.00×');
    expect(formatSummary(undefined, formatRatio)).toBe('—');
  });
  test('milliseconds keep about three significant digits', () => {
    expect([formatMs(0.0534), formatMs(12.345), formatMs(250.4)]).toEqual(['0.05', '12.3', '250']);
  });
  test('a Markdown table has a header, a rule and one line per row', () => {
    expect(markdownTable(['a', 'b'], [['1', '2']])).toBe('| a   | b   |\n| --- | --- |\n| 1   | 2   |');
  });
  test('columns are padded to their widest cell, counting characters (× is one)', () => {
    expect(markdownTable(['ratio', 'x'], [['1.05×', 'long cell']])).toBe(
      '| ratio | x         |\n| ----- | --------- |\n| 1.05× | long cell |',
    );
  });
});

describe('markdownReport', () => {
  const report = squeeze(markdownReport(sampleDocument()));

  test('evaluates the targets as met or missed with the measured ratio', () => {
    expect(report).toMatch(
      /\| inline `hello` ≥ 0\.9× raw node:http \| 0\.93× \(0\.90×–0\.95×\) \| \*\*met\*\* \|/,
    );
    expect(report).toMatch(/\| thread-pool `hello` ≥ 0\.6× raw node:http \| 0\.50× \| \*\*missed\*\* \|/);
    expect(report).toMatch(
      /\| `responsiveness` p99 ≤ 3 ms with the thread pool \| 2\.00 ms \| \*\*met\*\* \|/,
    );
    expect(report).toMatch(/thread-pool `cpu` ≥ 1\.85× inline \| — \| not measured \|/);
  });

  test('gives each server its requests/s, ratio to raw and latency, and says which rounds failed', () => {
    expect(report).toContain(
      '| `hello` | tsgi WSGIContainer + InlineExecutor | 41,750 (36,000–47,500) | 0.93× (0.90×–0.95×) | 1.15 (1.10–1.20) | 3.40 (3.30–3.50) | 1.13× (1.10×–1.17×) | |',
    );
    expect(report).toContain('1 round(s) failed: round 2: did not start: boom');
  });

  test('describes the machine, the shared cores, the method and the peers it could not run', () => {
    expect(report).toContain('**Machine:** 2 cores');
    expect(report).toContain('shared by the server under test and the load generator');
    expect(report).toContain('Load average (1 min) before the run: 0.3; after: 2.1');
    expect(report).toContain('2 measured rounds of 3 s');
    expect(report).toContain("**Not measured:** Tornado's WSGIContainer (python3-tornado is not installed).");
  });

  test('has the responsiveness and slow-reader tables', () => {
    expect(report).toContain('| tsgi WSGIContainer + ThreadPoolExecutor | 0.50 | 2.00 | 0.03× | — | |');
    expect(report).toContain('| tsgi WSGIContainer + InlineExecutor | 1.5 | 60.0 | |');
  });

  test('a run that started on a busy machine says so', () => {
    expect(report).not.toContain('Busy machine');
    const busy = sampleDocument();
    busy.machine.loadBefore = 9.5;
    expect(squeeze(markdownReport(busy))).toContain('> **Busy machine: the load average was 9.5 on 2 cores');
  });

  test('a quick run is labelled as such', () => {
    expect(report).not.toContain('QUICK');
    const quick = squeeze(markdownReport(sampleDocument('quick')));
    expect(quick).toContain('# tsgi benchmark: QUICK SMOKE RUN');
    expect(quick).toContain('**Quick smoke run**');
  });
});

describe('summaryTable', () => {
  test('one line per server with req/s and × raw per workload, the responsiveness p99 and slow-reader growth', () => {
    const table = squeeze(summaryTable(sampleDocument()));
    expect(table.split('\n')[0]).toBe(
      '| server | `hello` req/s (× raw) | `responsiveness` p99 ms | `slow-reader` MiB |',
    );
    expect(table).toContain('| tsgi WSGIContainer + InlineExecutor | 41,750 (0.93×) | — | 1.5 |');
    expect(table).toContain('| tsgi WSGIContainer + ThreadPoolExecutor | 20,000 (0.50×) | 2.00 | — |');
  });
});

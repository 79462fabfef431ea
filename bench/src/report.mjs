/**
 * The run as Markdown: the tables printed at the end of `pnpm bench` and saved as bench/results/latest.md.
 */
import { serverLabel, throughputWorkloads, workloads } from './catalogue.mjs';

/** @typedef {import('./statistics.mjs').Summary} Summary */

/**
 * Everything one run produced: what bench/results/latest.json holds.
 * @typedef {object} BenchDocument
 * @property {'full' | 'quick'} mode
 * @property {string} startedAt
 * @property {number} elapsedSeconds
 * @property {boolean} incomplete       The time budget ran out before every round was measured.
 * @property {Record<string, string | number>} machine
 * @property {Record<string, string | number>} settings
 * @property {{ server: string, reason: string }[]} skipped  Servers that could not run, and why.
 * @property {{ ref: string, commit: string }} [before]  With `--before`: the commit the `@before` servers ran.
 * @property {string[]} servers         Those measured, in catalogue order.
 * @property {import('./results.mjs').Measurement[]} measurements
 * @property {Record<string, Record<string, import('./results.mjs').ServerResult>>} results
 * @property {import('./targets.mjs').TargetResult[]} targets
 */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** @param {number} value */
export function formatRate(value) {
  return integer.format(value);
}

/** @param {number} value */
export function formatMs(value) {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** @param {number} value */
export function formatRatio(value) {
  return `${value.toFixed(2)}×`;
}

/**
 * "median (min–max)" for a summary, or an em dash when there is none.
 * @param {Summary | undefined} summary
 * @param {(value: number) => string} format
 */
export function formatSummary(summary, format) {
  if (!summary) return '—';
  if (summary.values.length < 2 || summary.min === summary.max) return format(summary.median);
  return `${format(summary.median)} (${format(summary.min)}–${format(summary.max)})`;
}

/**
 * A Markdown table with padded columns (the layout Biome's formatter gives, so the README stays formatted).
 * @param {string[]} header
 * @param {string[][]} rows
 */
export function markdownTable(header, rows) {
  const length = (/** @type {string} */ cell) => [...cell].length;
  const widths = header.map((cell, column) =>
    Math.max(3, length(cell), ...rows.map((row) => length(row[column] ?? ''))),
  );
  const line = (/** @type {string[]} */ cells) =>
    `| ${cells.map((cell, column) => cell + ' '.repeat((widths[column] ?? 0) - length(cell))).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

const label = serverLabel;

/** @param {BenchDocument} document */
export function targetsTable(document) {
  return markdownTable(
    ['target', 'measured: median (min–max)', 'result'],
    document.targets.map((target) => [
      target.description,
      target.measured === undefined
        ? '—'
        : formatSummary(
            {
              median: target.measured,
              min: target.min ?? target.measured,
              max: target.max ?? target.measured,
              values: [target.min ?? target.measured, target.max ?? target.measured],
            },
            target.unit === '×' ? formatRatio : (value) => `${formatMs(value)} ${target.unit}`,
          ),
      target.status === 'met' ? '**met**' : target.status === 'missed' ? '**missed**' : 'not measured',
    ]),
  );
}

/**
 * One line per server: requests/s (× raw) for each throughput workload, the responsiveness p99 and the
 * slow-reader growth. The compact table for the root README.
 * @param {BenchDocument} document
 */
export function summaryTable(document) {
  const present = throughputWorkloads.filter((workload) => document.results[workload]);
  const header = [
    'server',
    ...present.map((workload) => `\`${workload}\` req/s (× raw)`),
    '`responsiveness` p99 ms',
    '`slow-reader` MiB',
  ];
  const rows = document.servers.map((server) => [
    label(server),
    ...present.map((workload) => {
      const result = document.results[workload]?.[server];
      const rate = result?.metrics.requestsPerSecond;
      const ratio = result?.ratioToRaw.requestsPerSecond;
      if (!rate) return '—';
      return ratio ? `${formatRate(rate.median)} (${formatRatio(ratio.median)})` : formatRate(rate.median);
    }),
    (() => {
      const p99 = document.results.responsiveness?.[server]?.metrics.p99Ms;
      return p99 ? formatMs(p99.median) : '—';
    })(),
    (() => {
      const growth = document.results['slow-reader']?.[server]?.metrics.peakGrowthMiB;
      return growth ? growth.median.toFixed(1) : '—';
    })(),
  ]);
  return markdownTable(header, rows);
}

/** @param {BenchDocument} document */
function throughputTable(document) {
  const rows = [];
  for (const workload of throughputWorkloads) {
    const byServer = document.results[workload];
    if (!byServer) continue;
    for (const server of document.servers) {
      const result = byServer[server];
      if (!result) continue;
      const { metrics, ratioToRaw } = result;
      rows.push([
        `\`${workload}\``,
        label(server),
        formatSummary(metrics.requestsPerSecond, formatRate),
        formatSummary(ratioToRaw.requestsPerSecond, formatRatio),
        formatSummary(metrics.p50Ms, formatMs),
        formatSummary(metrics.p99Ms, formatMs),
        formatSummary(ratioToRaw.p99Ms, formatRatio),
        result.errors.length > 0 ? `${result.errors.length} round(s) failed: ${result.errors[0]}` : '',
      ]);
    }
  }
  return markdownTable(
    ['workload', 'server', 'req/s', '× raw', 'p50 ms', 'p99 ms', 'p99 × raw', 'notes'],
    rows,
  );
}

/** @param {BenchDocument} document */
function responsivenessTable(document) {
  const byServer = document.results.responsiveness;
  if (!byServer) return undefined;
  const rows = document.servers.flatMap((server) => {
    const result = byServer[server];
    if (!result) return [];
    return [
      [
        label(server),
        formatSummary(result.metrics.p50Ms, formatMs),
        formatSummary(result.metrics.p99Ms, formatMs),
        formatSummary(result.ratioToRaw.p99Ms, formatRatio),
        formatSummary(result.metrics.backgroundRequestsPerSecond, formatRate),
        result.errors.length > 0 ? `${result.errors.length} round(s) failed: ${result.errors[0]}` : '',
      ],
    ];
  });
  return markdownTable(
    ['server', '/ping p50 ms', '/ping p99 ms', 'p99 × raw', '`cpu` req/s meanwhile', 'notes'],
    rows,
  );
}

/** @param {BenchDocument} document */
function slowReaderTable(document) {
  const byServer = document.results['slow-reader'];
  if (!byServer) return undefined;
  const rows = document.servers.flatMap((server) => {
    const result = byServer[server];
    if (!result) return [];
    const mib = (/** @type {number} */ value) => value.toFixed(1);
    return [
      [
        label(server),
        formatSummary(result.metrics.peakGrowthMiB, mib),
        formatSummary(result.metrics.baselineMiB, mib),
        result.errors.length > 0 ? `${result.errors.length} round(s) failed: ${result.errors[0]}` : '',
      ],
    ];
  });
  return markdownTable(['server', 'peak RSS growth MiB', 'idle RSS MiB', 'notes'], rows);
}

/**
 * A warning when other work competed with the run: the 1-minute load average before it exceeded the cores.
 * @param {BenchDocument} document
 * @returns {string | undefined}
 */
export function busyMachineWarning(document) {
  const { loadBefore, cores } = document.machine;
  if (typeof loadBefore !== 'number' || loadBefore <= Number(cores)) return undefined;
  return (
    `Busy machine: the load average was ${loadBefore} on ${cores} cores when the run started, so other work ` +
    'competed with the benchmark and the figures are noisier than usual; re-run on a quiet machine to quote them.'
  );
}

/** @param {BenchDocument} document */
export function machineLine(document) {
  const m = document.machine;
  return (
    `${m.cores} cores (${m.cpuModel}), ${m.memory}, ${m.os}; Node ${m.node}, Python ${m.python}, ` +
    `Tornado ${m.tornado}, gunicorn ${m.gunicorn}, ${m.wrk}. ${m.note}` +
    (m.loadBefore === undefined
      ? ''
      : ` Load average (1 min) before the run: ${m.loadBefore}; after: ${m.loadAfter} (the benchmark itself adds about 2).`)
  );
}

/**
 * @param {BenchDocument} document
 * @returns {string}
 */
export function markdownReport(document) {
  const s = document.settings;
  const sections = [
    `# tsgi benchmark: ${document.mode === 'quick' ? 'QUICK SMOKE RUN' : 'full run'}, ${document.startedAt}`,
  ];
  if (document.mode === 'quick') {
    sections.push(
      '> **Quick smoke run** (`pnpm bench --quick`): short rounds, noisy figures. It shows the harness works; ' +
        'quote the figures of a full `pnpm bench` on a quiet machine instead.',
    );
  }
  const busy = busyMachineWarning(document);
  if (busy) sections.push(`> **${busy}**`);
  if (document.incomplete) {
    sections.push('> **Incomplete:** the time budget ran out before every round was measured.');
  }
  sections.push(`**Machine:** ${machineLine(document)}`);
  if (document.before) {
    sections.push(
      `**Before/after:** the servers marked "before" are the same tsgi servers built from \`${document.before.ref}\` ` +
        `(${document.before.commit.slice(0, 10)}), measured in this run beside the working tree's.`,
    );
  }
  sections.push(
    `**Method:** ${s.rounds} measured rounds of ${s.durationSeconds} s per server and workload, ` +
      (Number(s.warmupSeconds) > 0
        ? `each on a freshly started server after a ${s.warmupSeconds} s warm-up run`
        : 'each on a freshly started server, without warm-up runs (quick)') +
      '; within a round every server runs one workload back to back, in an order that rotates per round. ' +
      'Figures are medians with the min–max spread of the rounds in brackets; ratios to raw node:http are taken ' +
      `round by round. wrk, 1 thread, 127.0.0.1. \`cpu\` burns ${s.cpuUpdates} sha256 updates of 16 KiB ` +
      `(${s.cpuMilliseconds} ms here). Slow reader: ${s.slowReaderClients} clients each request ` +
      `${s.largeMiB} MiB and stop reading; RSS of the server's process tree sampled for ` +
      `${s.slowReaderSampleSeconds} s, ${s.slowReaderRounds} rounds.`,
  );
  if (document.skipped.length > 0) {
    sections.push(
      `**Not measured:** ${document.skipped.map(({ server, reason }) => `${label(server)} (${reason})`).join('; ')}.`,
    );
  }
  sections.push('## Summary', summaryTable(document));
  sections.push('## Targets', targetsTable(document));
  sections.push('## Throughput and latency', throughputTable(document));
  const responsiveness = responsivenessTable(document);
  if (responsiveness)
    sections.push(`## Responsiveness: ${workloads.responsiveness.description}`, responsiveness);
  const slowReader = slowReaderTable(document);
  if (slowReader) sections.push(`## Slow reader: ${workloads['slow-reader'].description}`, slowReader);
  return `${sections.join('\n\n')}\n`;
}

/**
 * The run as a chart, hand-written SVG (no dependencies): grouped bars of requests/s as a ratio to raw
 * node:http per workload, with min–max whiskers; beside it the responsiveness p99 on a log scale.
 */
import { baselineServer, serverColour, serverLabel, throughputWorkloads } from './catalogue.mjs';

/** @typedef {import('./report.mjs').BenchDocument} BenchDocument */

/** @param {string} text */
export function escapeXml(text) {
  return text.replace(
    /[<>&'"]/g,
    (character) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' }[character]};`,
  );
}

/** @param {number} value */
const round = (value) => Math.round(value * 10) / 10;

/**
 * @param {number} x
 * @param {number} y
 * @param {string} content
 * @param {Record<string, string | number>} [attributes]
 */
function text(x, y, content, attributes = {}) {
  const extra = Object.entries(attributes)
    .map(([name, value]) => ` ${name}="${escapeXml(String(value))}"`)
    .join('');
  return `<text x="${round(x)}" y="${round(y)}"${extra}>${escapeXml(content)}</text>`;
}

/**
 * @param {number} x
 * @param {number} y
 * @param {number} width
 * @param {number} height
 * @param {string} fill
 * @param {string} [title]
 */
function rect(x, y, width, height, fill, title) {
  const tooltip = title ? `<title>${escapeXml(title)}</title>` : '';
  return `<rect x="${round(x)}" y="${round(y)}" width="${round(width)}" height="${round(Math.max(0, height))}" fill="${fill}">${tooltip}</rect>`;
}

/**
 * @param {number} x1
 * @param {number} y1
 * @param {number} x2
 * @param {number} y2
 * @param {string} stroke
 * @param {string} [dash]
 */
function line(x1, y1, x2, y2, stroke, dash) {
  const dashes = dash ? ` stroke-dasharray="${dash}"` : '';
  return `<line x1="${round(x1)}" y1="${round(y1)}" x2="${round(x2)}" y2="${round(y2)}" stroke="${stroke}"${dashes}/>`;
}

/**
 * A bar at the median with a min–max whisker and the value above it.
 * @param {{ x: number, width: number, summary: import('./statistics.mjs').Summary, yOf: (value: number) => number,
 *   floor: number, fill: string, tooltip: string, value: string }} bar
 */
function summaryBar({ x, width, summary, yOf, floor, fill, tooltip, value }) {
  const middle = x + width / 2;
  return [
    rect(x + 1, yOf(summary.median), width - 2, floor - yOf(summary.median), fill, tooltip),
    line(middle, yOf(summary.min), middle, yOf(summary.max), '#222'),
    line(middle - 3, yOf(summary.min), middle + 3, yOf(summary.min), '#222'),
    line(middle - 3, yOf(summary.max), middle + 3, yOf(summary.max), '#222'),
    text(middle, yOf(summary.max) - 4, value, { 'text-anchor': 'middle', class: 'value' }),
  ];
}

/** A ceiling for the ratio axis: at least 1.2, in steps of 0.5. @param {number} maximum */
export function ratioAxisMaximum(maximum) {
  return Math.max(1.5, Math.ceil((maximum * 1.1) / 0.5) * 0.5);
}

const colour = serverColour;
const label = serverLabel;

/**
 * @param {BenchDocument} document
 * @param {{ x: number, y: number, width: number, height: number }} box
 */
function throughputPanel(document, box) {
  const parts = [];
  const groups = throughputWorkloads.filter((workload) => document.results[workload]);
  const servers = document.servers.filter((server) => server !== baselineServer);
  const ratioOf = (/** @type {string} */ workload, /** @type {string} */ server) =>
    document.results[workload]?.[server]?.ratioToRaw.requestsPerSecond;
  const maxima = groups.flatMap((workload) => servers.map((server) => ratioOf(workload, server)?.max ?? 0));
  const top = ratioAxisMaximum(Math.max(1, ...maxima));
  const plot = { x: box.x + 40, y: box.y + 30, width: box.width - 50, height: box.height - 60 };
  const yOf = (/** @type {number} */ ratio) => plot.y + plot.height - (ratio / top) * plot.height;

  parts.push(
    text(box.x, box.y + 12, 'Requests/s as a ratio to raw node:http (higher is better)', {
      class: 'heading',
    }),
  );
  for (let tick = 0; tick <= top + 1e-9; tick += top > 3 ? 1 : 0.5) {
    parts.push(line(plot.x, yOf(tick), plot.x + plot.width, yOf(tick), '#e5e5e5'));
    parts.push(text(plot.x - 6, yOf(tick) + 4, `${tick}×`, { 'text-anchor': 'end', class: 'axis' }));
  }
  const groupWidth = plot.width / Math.max(1, groups.length);
  const barWidth = Math.min(28, (groupWidth - 16) / Math.max(1, servers.length));
  groups.forEach((workload, groupIndex) => {
    const groupX = plot.x + groupIndex * groupWidth + (groupWidth - barWidth * servers.length) / 2;
    servers.forEach((server, serverIndex) => {
      const ratio = ratioOf(workload, server);
      if (!ratio) return;
      parts.push(
        ...summaryBar({
          x: groupX + serverIndex * barWidth,
          width: barWidth,
          summary: ratio,
          yOf,
          floor: plot.y + plot.height,
          fill: colour(server),
          tooltip: `${label(server)}, ${workload}: ${ratio.median.toFixed(2)}× (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`,
          value: ratio.median.toFixed(2),
        }),
      );
    });
    parts.push(
      text(plot.x + groupIndex * groupWidth + groupWidth / 2, plot.y + plot.height + 18, workload, {
        'text-anchor': 'middle',
      }),
    );
  });
  parts.push(line(plot.x, yOf(1), plot.x + plot.width, yOf(1), colour(baselineServer), '6 4'));
  parts.push(line(plot.x, plot.y + plot.height, plot.x + plot.width, plot.y + plot.height, '#888'));
  return parts;
}

/**
 * @param {BenchDocument} document
 * @param {{ x: number, y: number, width: number, height: number }} box
 * @param {number} targetMs
 */
function responsivenessPanel(document, box, targetMs) {
  const parts = [];
  const results = document.results.responsiveness ?? {};
  const servers = document.servers.filter((server) => results[server]?.metrics.p99Ms);
  const plot = { x: box.x + 40, y: box.y + 44, width: box.width - 50, height: box.height - 74 };
  const maximum = Math.max(
    targetMs * 2,
    ...servers.map((server) => results[server]?.metrics.p99Ms?.max ?? 0),
  );
  const decades = { low: -1, high: Math.ceil(Math.log10(maximum)) };
  const yOf = (/** @type {number} */ ms) => {
    const logarithm = Math.log10(Math.max(ms, 10 ** decades.low));
    return plot.y + plot.height - ((logarithm - decades.low) / (decades.high - decades.low)) * plot.height;
  };
  parts.push(text(box.x, box.y + 12, 'Responsiveness: /ping p99 in ms', { class: 'heading' }));
  parts.push(
    text(box.x, box.y + 26, 'while cpu runs; log scale; lower is better; green: target', {
      class: 'axis',
    }),
  );
  for (let decade = decades.low; decade <= decades.high; decade++) {
    const ms = 10 ** decade;
    parts.push(line(plot.x, yOf(ms), plot.x + plot.width, yOf(ms), '#e5e5e5'));
    parts.push(text(plot.x - 6, yOf(ms) + 4, String(ms), { 'text-anchor': 'end', class: 'axis' }));
  }
  const barWidth = Math.min(32, plot.width / Math.max(1, servers.length));
  const startX = plot.x + (plot.width - barWidth * servers.length) / 2;
  servers.forEach((server, index) => {
    const p99 = /** @type {import('./statistics.mjs').Summary} */ (results[server]?.metrics.p99Ms);
    parts.push(
      ...summaryBar({
        x: startX + index * barWidth,
        width: barWidth,
        summary: p99,
        yOf,
        floor: plot.y + plot.height,
        fill: colour(server),
        tooltip: `${label(server)}: p99 ${p99.median.toFixed(2)} ms (${p99.min.toFixed(2)}–${p99.max.toFixed(2)})`,
        value: p99.median >= 10 ? p99.median.toFixed(0) : p99.median.toFixed(1),
      }),
    );
  });
  parts.push(line(plot.x, yOf(targetMs), plot.x + plot.width, yOf(targetMs), '#2ca02c', '6 4'));
  parts.push(
    // In the axis gutter, where no bar can cover it.
    text(plot.x - 6, yOf(targetMs) + 4, String(targetMs), {
      'text-anchor': 'end',
      class: 'target',
    }),
  );
  parts.push(line(plot.x, plot.y + plot.height, plot.x + plot.width, plot.y + plot.height, '#888'));
  return parts;
}

/**
 * @param {BenchDocument} document
 * @returns {string}  a standalone SVG document
 */
export function renderChart(document) {
  const width = 1000;
  const height = 470;
  const busy =
    typeof document.machine.loadBefore === 'number' &&
    document.machine.loadBefore > Number(document.machine.cores);
  const title =
    `tsgi benchmark — ${document.mode === 'quick' ? 'QUICK SMOKE RUN (noisy), ' : ''}${document.startedAt}` +
    (busy ? ` — BUSY MACHINE (load ${document.machine.loadBefore})` : '');
  const subtitle =
    `${document.machine.cores} cores (${document.machine.cpuModel}) shared with the load generator (wrk); ` +
    `Node ${document.machine.node}. Bars: median of ${document.settings.rounds} rounds; whiskers: min–max.`;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    '<style>.heading{font-weight:600;font-size:13px}.axis{fill:#555;font-size:11px}.value{font-size:10px;fill:#222}.title{font-weight:700;font-size:16px}.target{fill:#2ca02c;font-size:11px}</style>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    text(20, 26, title, { class: 'title' }),
    text(20, 44, subtitle, { class: 'axis' }),
    ...throughputPanel(document, { x: 20, y: 60, width: 620, height: 340 }),
    ...responsivenessPanel(document, { x: 665, y: 60, width: 315, height: 340 }, 5),
  ];
  document.servers.forEach((server, index) => {
    const x = 20 + (index % 3) * 320;
    const y = 420 + Math.floor(index / 3) * 20;
    parts.push(rect(x, y - 10, 12, 12, colour(server)));
    parts.push(
      text(x + 18, y, server === baselineServer ? `${label(server)} (dashed line = 1×)` : label(server)),
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

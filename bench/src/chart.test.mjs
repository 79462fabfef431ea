import { describe, expect, test } from 'vitest';
import { escapeXml, ratioAxisMaximum, renderChart } from './chart.mjs';
import { sampleDocument } from './sample-document.test-fixture.mjs';

/** The rect drawn for the bar whose tooltip starts with `title`. @param {string} svg @param {string} title */
function bar(svg, title) {
  const match = new RegExp(
    `<rect x="([\\d.]+)" y="([\\d.]+)" width="([\\d.]+)" height="([\\d.]+)" fill="[^"]+"><title>${title}`,
  ).exec(svg);
  if (!match) throw new Error(`no bar titled ${title}`);
  return { y: Number(match[2]), height: Number(match[4]) };
}

describe('renderChart', () => {
  const svg = renderChart(sampleDocument());

  test('is one standalone SVG document', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<svg/g)).toHaveLength(1);
    // Every element that is opened is closed (rects with a tooltip, texts, the style).
    for (const element of ['rect', 'text', 'title', 'style']) {
      const opened = (svg.match(new RegExp(`<${element}[ >]`, 'g')) ?? []).length;
      const selfClosed = (svg.match(new RegExp(`<${element}[^>]*/>`, 'g')) ?? []).length;
      expect((svg.match(new RegExp(`</${element}>`, 'g')) ?? []).length).toBe(opened - selfClosed);
    }
  });

  test('draws one bar per server and workload, as tall as its ratio to raw', () => {
    const inline = bar(svg, 'tsgi WSGIContainer \\+ InlineExecutor, hello: 0.93×');
    const thread = bar(svg, 'tsgi WSGIContainer \\+ ThreadPoolExecutor, hello: 0.50×');
    expect(inline.height / thread.height).toBeCloseTo(0.925 / 0.5, 1);
    // raw node:http is the dashed 1× line, not a bar of its own.
    expect(svg).not.toMatch(/<title>raw node:http, hello/);
  });

  test('draws the responsiveness p99 on a log scale with the 5 ms target', () => {
    const raw = bar(svg, 'raw node:http: p99 60.00 ms');
    const thread = bar(svg, 'tsgi WSGIContainer \\+ ThreadPoolExecutor: p99 2.00 ms');
    expect(raw.height).toBeGreaterThan(thread.height);
    expect(svg).toMatch(
      /<line [^>]*stroke="#2ca02c" stroke-dasharray="6 4"\/>\n<text [^>]*class="target">5<\/text>/,
    );
  });

  test('escapes text from the machine description', () => {
    expect(svg).toContain('Test CPU &lt;fast&gt; &amp; &quot;small&quot;');
    expect(svg).not.toContain('<fast>');
  });

  test('a run on a busy machine says so in its title', () => {
    expect(svg).not.toContain('BUSY');
    const busy = sampleDocument();
    busy.machine.loadBefore = 9.5;
    expect(renderChart(busy)).toContain('BUSY MACHINE (load 9.5)');
  });

  test('a quick run says so in its title', () => {
    expect(svg).not.toContain('QUICK');
    expect(renderChart(sampleDocument('quick'))).toContain('QUICK SMOKE RUN');
  });
});

describe('helpers', () => {
  test('escapeXml escapes the five XML specials', () => {
    expect(escapeXml(`<a href='x'>"&"</a>`)).toBe('&lt;a href=&apos;x&apos;&gt;&quot;&amp;&quot;&lt;/a&gt;');
  });
  test('the ratio axis is at least 1.5× and rounds up to a half with headroom', () => {
    expect(ratioAxisMaximum(0.4)).toBe(1.5);
    expect(ratioAxisMaximum(1.5)).toBe(2);
    expect(ratioAxisMaximum(2.3)).toBe(3);
  });
});

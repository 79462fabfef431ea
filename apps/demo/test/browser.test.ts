/**
 * The demo in a real browser: Debian's Chromium driven by playwright-core loads the pages, signs the guestbook,
 * checks that the Mandelbrot PNG decodes and that the live route ticks, and saves screenshots under
 * `apps/demo/test-artifacts/`. Chromium comes from `scripts/ensure-chromium.sh`; when it cannot be installed the
 * suite is skipped and says why.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoProcess, startDemo } from './demo-process.js';

const chromiumPath = '/usr/bin/chromium';
const ensureScript = fileURLToPath(new URL('../../../scripts/ensure-chromium.sh', import.meta.url));
const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

function ensureChromium(): string | undefined {
  const result = spawnSync('bash', [ensureScript], { encoding: 'utf8', timeout: 300_000 });
  if (result.status === 0) return undefined;
  const said = `${result.stderr ?? ''}${result.error ? String(result.error) : ''}`.trim();
  return `Chromium is not available (${said || `ensure-chromium.sh exited ${result.status}`})`;
}

const skipReason = ensureChromium();
if (skipReason) console.warn(`SKIPPED the demo's browser test: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('the demo in Chromium', () => {
  let demo: DemoProcess;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    [demo, browser] = await Promise.all([
      startDemo(['--executor', 'thread', '--workers', '2']),
      chromium.launch({
        executablePath: chromiumPath,
        headless: true,
        timeout: 15_000,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      }),
    ]);
  }, 20_000); // with the two tests below, the suite is bounded at about a minute and a half

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  /** A page that records every failed response (a missing favicon or stylesheet shows up here). */
  async function newPage(options: Parameters<Browser['newPage']>[0] = {}) {
    const page = await browser.newPage(options);
    page.setDefaultTimeout(15_000);
    const failures: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failures.push(`${response.status()} ${response.url()}`);
    });
    return { page, failures };
  }

  /** Whether the page is wider than its viewport, which a phone shows as a sideways scroll. */
  const overflows = (page: Page) =>
    page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

  it('loads the pages, signs the guestbook, shows the picture and ticks live', {
    timeout: 38_000,
  }, async () => {
    const { page, failures } = await newPage({ viewport: { width: 1280, height: 800 } });

    await page.goto(`${demo.url}/`);
    expect(await page.locator('h1').textContent()).toBe('tsgi demo');
    expect(await page.locator('#parts li').count()).toBe(6);
    // The shared stylesheet applies, and the favicon is there (a failed request would be in `failures`).
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(
      'rgb(244, 246, 251)',
    );
    expect(await page.evaluate(async () => (await fetch('/favicon.ico')).headers.get('content-type'))).toBe(
      'image/x-icon',
    );
    await page.screenshot({ path: `${artifacts}index.png`, fullPage: true });

    await page.click('.site-nav a[href="/environ"]');
    expect(await page.locator('#environ th', { hasText: /^PATH_INFO$/ }).count()).toBe(1);
    expect(await page.locator('.site-nav a[aria-current="page"]').textContent()).toBe('Environ');
    await page.screenshot({ path: `${artifacts}environ.png`, fullPage: true });

    await page.goto(`${demo.url}/guestbook`);
    await page.fill('input[name=name]', 'Chromium Ünïcode');
    await page.fill('textarea[name=message]', 'Signed from a real browser <3');
    await Promise.all([page.waitForURL(`${demo.url}/guestbook`), page.click('button[type=submit]')]);
    expect(await page.locator('#entries li').first().textContent()).toContain('Chromium Ünïcode');
    expect(await page.locator('#entries li').first().textContent()).toContain(
      'Signed from a real browser <3',
    );
    await page.screenshot({ path: `${artifacts}guestbook.png`, fullPage: true });

    await page.goto(`${demo.url}/mandelbrot?width=320&height=240&iterations=200`);
    await page.waitForFunction(
      () => (document.getElementById('mandelbrot') as HTMLImageElement | null)?.complete,
    );
    expect(
      await page.evaluate(() => (document.getElementById('mandelbrot') as HTMLImageElement).naturalWidth),
    ).toBe(320);
    await page.screenshot({ path: `${artifacts}mandelbrot.png`, fullPage: true });

    await page.goto(`${demo.url}/legacy/about`);
    expect(await page.locator('#script-name').textContent()).toBe('/legacy');
    await page.screenshot({ path: `${artifacts}legacy.png`, fullPage: true });

    await page.goto(`${demo.url}/live`);
    await page.waitForFunction(() => Number(document.getElementById('ticks')?.textContent) >= 2);
    expect(await page.locator('#clock').textContent()).toMatch(/^\d\d:\d\d:\d\d UTC$/);
    expect(await page.locator('#clock').getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(Number(await page.locator('#requests').textContent())).toBeGreaterThan(0);
    await page.click('#render');
    await page.waitForFunction(
      () => /rendered in/.test(document.getElementById('render-status')?.textContent ?? ''),
      {
        timeout: 25_000,
      },
    );
    expect(
      await page.evaluate(() => (document.getElementById('picture') as HTMLImageElement).naturalWidth),
    ).toBe(1600);
    // The render took seconds on a worker thread, and the event loop kept ticking through it. After one more
    // tick (so a stall would have been measured), the longest gap between ticks is about a second, well under
    // the render time; on the inline executor the gap is the whole render. (The floor of 2 s is for a fast
    // machine, where the render is too short to tell the two apart.)
    const ticks = Number(await page.locator('#ticks').textContent());
    await page.waitForFunction((seen) => Number(document.getElementById('ticks')?.textContent) > seen, ticks);
    const seconds = async (selector: string) =>
      Number.parseFloat(/([\d.]+) s/.exec((await page.locator(selector).textContent()) ?? '')?.[1] ?? 'NaN');
    const renderSeconds = await seconds('#render-status');
    expect(await seconds('#gap')).toBeLessThan(Math.max(2, renderSeconds * 0.6));
    await page.screenshot({ path: `${artifacts}live.png`, fullPage: true });
    expect(failures).toEqual([]);
    await page.close();
  });

  it('fits a 390 px phone: no page scrolls sideways, and the environ table stacks', {
    timeout: 30_000,
  }, async () => {
    const { page, failures } = await newPage({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const pages = [
      ['index', '/'],
      ['environ', '/environ/caf%C3%A9/%E2%82%AC?name=J%C3%BCrgen&city=K%C3%B8benhavn'],
      ['guestbook', '/guestbook'],
      ['mandelbrot', '/mandelbrot'],
      ['live', '/live'],
      ['legacy', '/legacy/'],
      ['not-found', '/no/such/page'],
    ];
    for (const [name, path] of pages) {
      await page.goto(`${demo.url}${path}`);
      await page.screenshot({ path: `${artifacts}phone-${name}.png`, fullPage: true });
      expect(await overflows(page), name).toBe(false);
    }
    // A refused post keeps the visitor on a readable form that says why.
    await page.goto(`${demo.url}/guestbook`);
    await page.fill('input[name=name]', 'Phone visitor');
    await page.click('button[type=submit]');
    await page.waitForSelector('#problem');
    expect(await page.locator('#problem').textContent()).toBe('Please write a message.');
    expect(await page.inputValue('input[name=name]')).toBe('Phone visitor');
    await page.screenshot({ path: `${artifacts}phone-guestbook-refused.png`, fullPage: true });
    expect(failures).toEqual([`404 ${demo.url}/no/such/page`, `400 ${demo.url}/guestbook`]);
    await page.close();
  });
});

// The demo's Flask application under /flask/ (Debian's python3-flask, installed by
// scripts/ensure-python-flask.sh): skipped, with the reason printed, when Flask cannot be installed.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoProcess, startDemo } from './demo-process.js';

const ensure = spawnSync(
  'bash',
  [fileURLToPath(new URL('../../../scripts/ensure-python-flask.sh', import.meta.url))],
  {
    encoding: 'utf8',
    timeout: 300_000,
  },
);
const unavailable =
  ensure.status === 0
    ? undefined
    : `python3-flask is not available (${ensure.stderr.trim() || `ensure-python-flask.sh exited ${ensure.status}`})`;
if (unavailable) console.warn(`skipping the demo's Flask tests: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('the demo’s Flask mount', () => {
  let demo: DemoProcess;
  beforeAll(async () => {
    demo = await startDemo([], { flask: true });
  }, 120_000);
  afterAll(async () => {
    await demo?.stop();
  });

  it('is linked from the home page', async () => {
    const home = await fetch(`${demo.url}/`).then((response) => response.text());
    expect(home).toContain('<a href="/flask/">Flask</a>');
  });

  it('serves Flask pages whose links include the mount', async () => {
    const response = await fetch(`${demo.url}/flask/`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toMatch(/Flask 2\.\d+(\.\d+)?<\/strong> application running on\s+<strong>Python 3\.13/);
    expect(html).toContain('href="/flask/greet"');
    expect(html).toContain('href="/flask/info"');
  });

  it('reads a posted form, escaping what it echoes', async () => {
    const response = await fetch(`${demo.url}/flask/greet`, {
      method: 'POST',
      body: new URLSearchParams({ name: 'Ada <script>' }),
    });
    expect(await response.text()).toContain('Hello, Ada &lt;script&gt;! (from Python, 12 characters)');
  });

  it('answers JSON built by Flask from the environ', async () => {
    const info = (await fetch(`${demo.url}/flask/info`).then((response) => response.json())) as Record<
      string,
      unknown
    >;
    expect(info).toMatchObject({ script_root: '/flask', path: '/info', multithread: true });
    expect(info.url).toBe(`${demo.url}/flask/info`);
  });
});

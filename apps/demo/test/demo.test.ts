/** The demo's pages over real sockets: the built demo, started as `node dist/main.js`, on each executor. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { inflateSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoProcess, demoMain, startDemo } from './demo-process.js';
import { readPNGChunks } from './png-chunks.js';

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await request(url, { headers });
  const body = Buffer.from(await response.body.arrayBuffer());
  return { status: response.statusCode, headers: response.headers, body, text: body.toString('utf8') };
}

async function post(url: string, body: string | Buffer, contentType = 'application/x-www-form-urlencoded') {
  const response = await request(url, { method: 'POST', body, headers: { 'content-type': contentType } });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text };
}

/** A GET with header values sent byte for byte (node:http writes a string header as latin-1). */
function getWithRawHeaders(url: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

const latin1 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

describe.each(['thread', 'inline'])('the demo on the %s executor', (executor) => {
  let demo: DemoProcess;
  beforeAll(async () => {
    demo = await startDemo(['--executor', executor, '--workers', '2']);
  });
  afterAll(async () => {
    await demo?.stop();
  });

  it('says where it listens and which executor runs the app', () => {
    expect(demo.output()).toMatch(
      new RegExp(`\\[\\d+\\] Listening at: http://127\\.0\\.0\\.1:\\d+ \\(executor: ${executor}`),
    );
  });

  it('links every part from the index page', async () => {
    const { status, text } = await get(`${demo.url}/`);
    expect(status).toBe(200);
    for (const href of ['/environ', '/guestbook', '/mandelbrot', '/live', '/legacy/']) {
      expect(text).toContain(`href="${href}"`);
    }
    expect(text).toContain(executor === 'thread' ? 'worker thread #' : 'the event-loop thread');
  });

  it('shows the environ, decoding latin-1 WSGI strings as UTF-8 and escaping HTML', async () => {
    const html = await getWithRawHeaders(`${demo.url}/environ/caf%C3%A9?name=J%C3%BCrgen`, {
      'X-Name': latin1('Jürgen Øster'),
      'X-Markup': '<script>alert(1)</script>',
    });
    expect(html).toMatch(
      /<th>PATH_INFO<\/th><td>\/environ\/café<br><span class="note">bytes: \/environ\/caf\\xc3\\xa9/,
    );
    expect(html).toContain('<th>QUERY_STRING</th><td>name=J%C3%BCrgen</td>');
    expect(html).toContain('<th>HTTP_X_NAME</th><td>Jürgen Øster');
    expect(html).toContain('<th>HTTP_X_MARKUP</th><td>&lt;script&gt;alert(1)&lt;/script&gt;</td>');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('<th>REQUEST_METHOD</th><td>GET</td>');
    expect(html).toContain('<th>SCRIPT_NAME</th><td><span class="note">""</span></td>');
    expect(html).toContain(`<th>wsgi.multithread</th><td>${executor === 'thread'}</td>`);
  });

  it('stores a guestbook post and refuses bad posts with a 4xx, losing nothing', async () => {
    const signed = await post(
      `${demo.url}/guestbook`,
      'name=Ada+L%C3%B6velace&message=Hello+%3Cb%3Eworld%3C%2Fb%3E',
    );
    expect(signed.status).toBe(303);
    expect(signed.headers.location).toBe('/guestbook');
    const stored = () => readFileSync(demo.guestbookFile, 'utf8');
    const before = stored();
    expect(before.trim().split('\n')).toHaveLength(1);

    const bad: Array<[string, string | Buffer, string | undefined, number, RegExp]> = [
      ['too large', `name=x&message=${'a'.repeat(9000)}`, undefined, 413, /limit is 8192/],
      ['malformed escape', 'name=x&message=%zz', undefined, 400, /not followed by two hex digits/],
      ['invalid UTF-8', 'name=x&message=%C3%28', undefined, 400, /not valid UTF-8/],
      ['empty', '', undefined, 400, /The post is empty/],
      ['a missing message', 'name=Bob&message=+++', undefined, 400, /write a message/],
      ['not a form', '{"name":"x"}', 'application/json', 415, /application\/x-www-form-urlencoded/],
    ];
    for (const [what, body, contentType, status, message] of bad) {
      const response = await post(`${demo.url}/guestbook`, body, contentType);
      expect(response.status, what).toBe(status);
      expect(response.text, what).toMatch(message);
      expect(response.text, what).toContain('Ada Lövelace');
    }
    expect(stored()).toBe(before);

    const page = await get(`${demo.url}/guestbook`);
    expect(page.text).toContain('<strong>Ada Lövelace</strong>');
    expect(page.text).toContain('Hello &lt;b&gt;world&lt;/b&gt;');
    expect(page.text).toContain('1 entry');
  });

  it('keeps what the visitor typed when a post is refused', async () => {
    const response = await post(`${demo.url}/guestbook`, 'name=&message=kept+%26+shown');
    expect(response.status).toBe(400);
    expect(response.text).toContain('kept &amp; shown</textarea>');
  });

  it('draws a Mandelbrot PNG that decodes, sized by the query', async () => {
    const { status, headers, body } = await get(
      `${demo.url}/mandelbrot.png?width=40&height=30&iterations=50`,
    );
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('image/png');
    const chunks = readPNGChunks(body);
    expect(chunks.map((chunk) => chunk.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect([chunks[0]!.data.readUInt32BE(0), chunks[0]!.data.readUInt32BE(4)]).toEqual([40, 30]);
    const scanlines = inflateSync(chunks[1]!.data);
    expect(scanlines.length).toBe((40 * 3 + 1) * 30);
    expect(headers['x-rendered-on']).toMatch(executor === 'thread' ? /worker thread/ : /event-loop thread/);
  });

  it('answers 400 for a picture beyond the limits or a bad parameter', async () => {
    for (const query of ['width=5000', 'height=2', 'iterations=abc', 'iterations=99999', 'width=%zz']) {
      const { status, text } = await get(`${demo.url}/mandelbrot.png?${query}`);
      expect(status, query).toBe(400);
      expect(text, query).toMatch(/Limits: width 16–2048/);
    }
  });

  it('streams live ticks with the clock and a growing request counter', async () => {
    const controller = new AbortController();
    const response = await fetch(`${demo.url}/live/events`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const ticks: Array<{ time: string; requests: number }> = [];
    let buffered = '';
    while (ticks.length < 2) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += value;
      let end = buffered.indexOf('\n\n');
      while (end !== -1) {
        const data = /^data: (.*)$/m.exec(buffered.slice(0, end));
        if (data) ticks.push(JSON.parse(data[1]!));
        buffered = buffered.slice(end + 2);
        end = buffered.indexOf('\n\n');
      }
      if (ticks.length === 1) await get(`${demo.url}/`); // one more request between the ticks
    }
    controller.abort();
    expect(ticks).toHaveLength(2);
    expect(Date.parse(ticks[1]!.time)).toBeGreaterThan(Date.parse(ticks[0]!.time));
    expect(ticks[1]!.requests).toBeGreaterThan(ticks[0]!.requests);
  });

  it('serves the favicon, icon and stylesheet every page links, revalidated by ETag', async () => {
    const page = await get(`${demo.url}/guestbook`);
    expect(page.text).toContain('<link rel="icon" href="/favicon.ico"');
    expect(page.text).toContain('<link rel="stylesheet" href="/static/site.css">');
    const favicon = await get(`${demo.url}/favicon.ico`);
    expect(favicon.status).toBe(200);
    expect(favicon.headers['content-type']).toBe('image/x-icon');
    // An ICO header (reserved 0, type 1, one image of 64 × 64) and the PNG it holds.
    expect([...favicon.body.subarray(0, 8)]).toEqual([0, 0, 1, 0, 1, 0, 64, 64]);
    expect(readPNGChunks(favicon.body.subarray(22)).map((chunk) => chunk.type)).toEqual([
      'IHDR',
      'IDAT',
      'IEND',
    ]);
    const css = await get(`${demo.url}/static/site.css`);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.text).toContain('.site-header');
    const etag = String(css.headers.etag);
    const again = await get(`${demo.url}/static/site.css`, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect((await get(`${demo.url}/static/nope.css`)).status).toBe(404);
  });

  it('mounts the legacy application under /legacy with SCRIPT_NAME set', async () => {
    const about = await get(`${demo.url}/legacy/about`);
    expect(about.status).toBe(200);
    expect(about.text).toContain('<td id="script-name">/legacy</td>');
    expect(about.text).toContain('<td id="path-info">/about</td>');
    expect(about.text).toContain('href="/legacy/reports/2024"');
    const home = await get(`${demo.url}/legacy/`);
    expect(home.text).toContain('<td id="path-info">/</td>');
    expect((await get(`${demo.url}/legacy/nope`)).status).toBe(404);
  });

  it('answers 404 and 405 with a page that says why', async () => {
    const missing = await get(`${demo.url}/no/such/page`);
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('There is no page at /no/such/page');
    const wrongMethod = await post(`${demo.url}/environ`, 'x=1');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET, HEAD');
  });
});

describe('the demo on several processes', () => {
  it('serves from cluster workers that see wsgi.multiprocess, and stops them all on SIGTERM', async () => {
    const demo = await startDemo(['--processes', '2', '--workers', '1']);
    expect(demo.output()).toMatch(/\(executor: thread, 1 worker, 2 processes\)/);
    const { status, text } = await get(`${demo.url}/environ`);
    expect(status).toBe(200);
    expect(text).toContain('<th>wsgi.multiprocess</th><td>true</td>');
    expect(await demo.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  }, 30_000);
});

describe('the demo on a busy port', () => {
  it('says so in one line and exits 1, without a stack trace', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const result = spawnSync(process.execPath, [demoMain, '--port', String(port)], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([
        `tsgi demo: 127.0.0.1:${port} is already in use (is another demo running?): stop it, or pick another port with --port 8889 (--port 0 takes any free one)`,
      ]);
    } finally {
      blocker.close();
    }
    // The demo loads its Flask interpreters before it listens: seconds, more on a loaded machine.
  }, 60_000);
});

describe('the demo shutting down', () => {
  it('logs its shutdown and exits 0 on Ctrl-C', async () => {
    const demo = await startDemo(['--executor', 'thread', '--workers', '1']);
    expect(await demo.stop('SIGINT')).toEqual({ code: 0, signal: null });
    expect(demo.output()).toContain('] Press Ctrl-C to stop\n');
    expect(demo.output()).toMatch(
      /\] Shutting down: finishing requests in flight \(at most 10 s\)\n.*\] Stopped\n/,
    );
  });

  it('drains on SIGTERM, ending open live streams, and exits 0', async () => {
    const demo = await startDemo(['--executor', 'thread', '--workers', '1']);
    const response = await fetch(`${demo.url}/live/events`);
    const reader = response.body!.getReader();
    await reader.read(); // the first tick: the stream is open
    const exit = await demo.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    // The stream ended cleanly rather than hanging.
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
    }
  });
});

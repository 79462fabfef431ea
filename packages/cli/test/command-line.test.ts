/** `tsgi` flags that end at once: help, bad flags, and applications that do not load. */
import { describe, expect, it } from 'vitest';
import { fixture, runTsgi } from './tsgi-process.js';

const oneLine = (text: string) => text.trim().split('\n');

describe('tsgi serve --help', () => {
  it('documents every flag with its default and exits 0', () => {
    const { code, stdout: wrapped } = runTsgi(['serve', '--help']);
    const stdout = wrapped.replace(/\s+/g, ' ');
    expect(code).toBe(0);
    for (const flag of [
      '--port <number>',
      '--host <address>',
      '--executor <kind>',
      '--workers <number>',
      '--processes <number>',
      '--xheaders',
      '--trusted-downstream <addresses>',
      '--max-body-size <size>',
      '--max-header-size <size>',
      '--limit-request-line <size>',
      '--limit-request-fields <number>',
      '--limit-request-field-size <size>',
      '--idle-connection-timeout <duration>',
      '--headers-timeout <duration>',
      '--body-timeout <duration>',
      '--send-timeout <duration>',
      '--timeout <duration>',
      '--worker-heap-limit <size>',
      '--body-buffer-size <size>',
      '--body-temp-dir <path>',
      '--stream-input',
      '--no-keep-alive',
      '--access-log',
      '--validate',
      '--debug',
      '--graceful-timeout <duration>',
      '--certfile <path>',
      '--keyfile <path>',
      '--decompress-request',
      '--protocol <scheme>',
      '--server-software <name>',
      '--config <file>',
      '--bind <address>',
      '--socket-mode <mode>',
      '--pid <file>',
      '--max-requests <number>',
      '--max-requests-jitter <number>',
      '--reload',
      '--access-log-format <format>',
    ]) {
      expect(stdout).toContain(flag);
    }
    for (const shown of [
      '(default: 8000)',
      '(default: "127.0.0.1")',
      'default: "thread")',
      '(default: 100mb)',
      '(default: 127.0.0.1,::1)',
      '(default: 30s)',
      '(default: 8190)',
      '(default: 100)',
      '(default: 60s)',
      '(default: 512mb)',
      '(default: 64kb)',
    ]) {
      expect(stdout).toContain(shown);
    }
    expect(stdout).toMatch(/Exit status/);
  });
});

describe('bad flags', () => {
  it.each([
    [['serve', fixture('app.mjs'), '--port', 'eighty'], /--port/],
    [['serve', fixture('app.mjs'), '--port', '70000'], /--port/],
    [['serve', fixture('app.mjs'), '--executor', 'process'], /--executor.*process/],
    [['serve', fixture('app.mjs'), '--workers', '0'], /--workers/],
    [['serve', fixture('app.mjs'), '--max-body-size', 'huge'], /not a size/],
    [['serve', fixture('app.mjs'), '--limit-request-fields', 'many'], /--limit-request-fields/],
    [['serve', fixture('app.mjs'), '--limit-request-line', 'long'], /not a size/],
    [['serve', fixture('app.mjs'), '--graceful-timeout', 'soon'], /not a duration/],
    [['serve', fixture('app.mjs'), '--frobnicate'], /unknown option '--frobnicate'/],
    [['serve', fixture('app.mjs'), '--certfile', 'cert.pem'], /--certfile and --keyfile go together/],
    [['serve', fixture('app.mjs'), '--trusted-downstream', 'not-an-address'], /not-an-address/],
    [['serve'], /name the application/],
    [['serve', fixture('app.mjs'), '--bind', '8000'], /HOST:PORT, \[IPv6\]:PORT or unix:PATH/],
    [['serve', fixture('app.mjs'), '--bind', '127.0.0.1:0', '--port', '9000'], /--bind and --port\/--host/],
    [['serve', fixture('app.mjs'), '--socket-mode', 'rw'], /not a mode/],
    [['serve', fixture('app.mjs'), '--access-log-format', 'xml'], /tornado, combined, json/],
    [['serve', fixture('app.mjs'), '--config', '/nonexistent/tsgi.json'], /cannot read the config file/],
    [['serve', fixture('app.mjs'), '--python', 'app:app'], /either a module reference or --python, not both/],
    [['serve', fixture('app.mjs'), '--chdir', '.'], /--chdir and --python-path go with --python/],
    [['serve', '--python', 'not a spec'], /A Python application is "module:callable"/],
    [
      ['serve', '--python', 'app:app', '--chdir', '/no/such/directory'],
      /\/no\/such\/directory does not exist/,
    ],
    [['launch'], /unknown command 'launch'/],
  ])('%j gives a one-line error and exit 2', (args, message) => {
    const { code, stderr } = runTsgi(args);
    expect(code).toBe(2);
    expect(oneLine(stderr)).toHaveLength(1);
    expect(stderr).toMatch(/^tsgi: /);
    expect(stderr).toMatch(message);
  });
});

describe('an application that does not load', () => {
  it.each(['inline', 'thread'])('gives a one-line error and exit 1 (%s)', (executor) => {
    for (const [app, message] of [
      [fixture('missing.mjs'), /missing\.mjs/],
      [fixture('broken.mjs'), /the fixture refuses to load/],
      [`${fixture('app.mjs')}#nothing`, /no export named "nothing"/],
    ] as const) {
      const { code, stderr } = runTsgi([
        'serve',
        app,
        '--executor',
        executor,
        '--port',
        '0',
        '--workers',
        '1',
      ]);
      expect(code, app).toBe(1);
      expect(oneLine(stderr), app).toHaveLength(1);
      expect(stderr, app).toMatch(message);
    }
  });
});

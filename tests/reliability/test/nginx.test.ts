import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HTTPServer, type HTTPServerRequest } from '@tsgi/http-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EnvironReport, gatewayTarget, serveOnLoopback } from './support/gateway-target.js';
import { delay } from './support/raw-client.js';

// nginx in front of tsgi for real: nginx connects to tsgi from 127.0.0.2 (proxy_bind), the only trusted
// downstream; clients connect to nginx from 127.0.0.3, and straight to tsgi from 127.0.0.1 (untrusted).
const ensure = spawnSync('bash', [join(import.meta.dirname, '../../../scripts/ensure-nginx.sh')], {
  encoding: 'utf8',
});
const nginxBinary = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'].find((path) =>
  existsSync(path),
);
const skipReason =
  ensure.status !== 0 || nginxBinary === undefined
    ? `nginx unavailable: ${ensure.stderr.trim() || 'no binary after scripts/ensure-nginx.sh'}`
    : undefined;
if (skipReason !== undefined) console.warn(`SKIPPING the nginx tests — ${skipReason}`);

const PROXY_ADDRESS = '127.0.0.2';
const CLIENT_ADDRESS = '127.0.0.3';
const STREAM_CHUNKS = 320; // × 64 KiB = 20 MiB
const UPLOAD_SIZE = 20 * 1024 * 1024;

/** The streamed response body: deterministic, so the client can hash what it should receive. */
function streamChunk(index: number): Uint8Array {
  return Buffer.from(createHash('sha512').update(String(index)).digest('hex').repeat(512)); // 64 KiB
}

async function streamResponse(request: HTTPServerRequest) {
  const connection = request.connection;
  await connection.writeHeaders({ code: 200, reason: 'OK' }, ['Content-Type', 'application/octet-stream']);
  for (let index = 0; index < STREAM_CHUNKS; index++) await connection.write(streamChunk(index));
  connection.finish();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function send(
  port: number,
  options: {
    path: string;
    method?: string;
    headers?: Record<string, string>;
    body?: Buffer;
    chunked?: boolean;
    localAddress?: string;
  },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: options.path,
        method: options.method ?? 'GET',
        headers: options.headers,
        localAddress: options.localAddress ?? CLIENT_ADDRESS,
        agent: false,
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () =>
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: Buffer.concat(chunks),
          }),
        );
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    if (options.body !== undefined) {
      if (options.chunked) {
        // Several writes without a Content-Length: node sends them chunked.
        for (let offset = 0; offset < options.body.length; offset += 1024 * 1024) {
          outgoing.write(options.body.subarray(offset, offset + 1024 * 1024));
        }
        outgoing.end();
      } else {
        outgoing.end(options.body);
      }
    } else {
      outgoing.end();
    }
  });
}

const report = (reply: Reply) => JSON.parse(reply.body.toString()) as EnvironReport;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe.skipIf(skipReason !== undefined)('nginx in front of tsgi', () => {
  let served: Awaited<ReturnType<typeof serveOnLoopback>>;
  let nginxPort = 0;
  let directory = '';
  let nginx: ReturnType<typeof spawn> | undefined;
  let overUnix: HTTPServer | undefined;

  beforeAll(async () => {
    const target = (request: HTTPServerRequest) =>
      request.path.endsWith('/stream') ? streamResponse(request) : gatewayTarget(request);
    served = await serveOnLoopback(target, { xheaders: true, trustedDownstream: [PROXY_ADDRESS] });
    nginxPort = await freePort();
    directory = mkdtempSync(join(tmpdir(), 'tsgi-nginx-'));
    // The deployment guide's set-up: tsgi on a Unix socket only nginx can reach; its peers are trusted for the
    // proxy headers (nothing else can connect), TCP peers are not (trustedDownstream is empty).
    overUnix = new HTTPServer(target, { xheaders: true, trustedDownstream: [], unixSocketMode: 0o600 });
    await overUnix.listen(join(directory, 'tsgi.sock'));
    for (const name of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(directory, name));
    const upstream = `http://127.0.0.1:${served.port}`;
    const common = `proxy_bind ${PROXY_ADDRESS};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;`;
    const unixCommon = `proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;`;
    writeFileSync(
      join(directory, 'nginx.conf'),
      `daemon off;
master_process off;
pid ${directory}/nginx.pid;
error_log ${directory}/error.log warn;
events { worker_connections 128; }
http {
  access_log off;
  client_body_temp_path ${directory}/body;
  proxy_temp_path ${directory}/proxy;
  fastcgi_temp_path ${directory}/fastcgi;
  uwsgi_temp_path ${directory}/uwsgi;
  scgi_temp_path ${directory}/scgi;
  client_max_body_size 64m;
  server {
    listen 127.0.0.1:${nginxPort};
    location / {
      ${common}
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_pass ${upstream};
    }
    location /as-https/ {
      ${common}
      proxy_set_header X-Forwarded-Proto https;
      proxy_pass ${upstream};
    }
    location /unbuffered/ {
      ${common}
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_request_buffering off;
      proxy_buffering off;
      proxy_pass ${upstream};
    }
    location /unix/ {
      ${unixCommon}
      proxy_set_header X-Forwarded-Proto https;
      proxy_pass http://unix:${directory}/tsgi.sock:;
    }
    location /unix-unbuffered/ {
      ${unixCommon}
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_request_buffering off;
      proxy_buffering off;
      proxy_pass http://unix:${directory}/tsgi.sock:;
    }
  }
}
`,
    );
    nginx = spawn(
      nginxBinary!,
      ['-e', join(directory, 'error.log'), '-p', directory, '-c', join(directory, 'nginx.conf')],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    // Ready when it answers.
    for (let attempt = 0; ; attempt++) {
      try {
        await send(nginxPort, { path: '/ready' });
        break;
      } catch (error) {
        if (attempt > 100 || nginx.exitCode !== null) {
          const log = existsSync(join(directory, 'error.log'))
            ? readFileSync(join(directory, 'error.log'), 'utf8')
            : '';
          throw new Error(`nginx did not start: ${String(error)}\n${log}`);
        }
        await delay(100);
      }
    }
  });

  afterAll(async () => {
    if (nginx !== undefined && nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx!.once('exit', resolve));
      nginx.kill('SIGQUIT');
      await Promise.race([exited, delay(3000)]);
      if (nginx.exitCode === null) nginx.kill('SIGKILL');
    }
    await served?.close();
    await overUnix?.close({ timeoutMs: 1000 });
    if (directory !== '') rmSync(directory, { recursive: true, force: true });
  });

  it('the app sees the client address nginx reports, not nginx', async () => {
    const reply = await send(nginxPort, { path: '/who' });
    expect(reply.status).toBe(200);
    const environ = report(reply).environ;
    expect(environ.REMOTE_ADDR).toBe(CLIENT_ADDRESS);
    expect(environ.HTTP_X_FORWARDED_FOR).toBe(CLIENT_ADDRESS);
    expect(environ['wsgi.url_scheme']).toBe('http');
  });

  it('the app sees the scheme nginx reports', async () => {
    const environ = report(await send(nginxPort, { path: '/as-https/x' })).environ;
    expect(environ['wsgi.url_scheme']).toBe('https');
    expect(environ.HTTPS).toBe('on');
    expect(environ.SERVER_PORT).toBe('443');
    expect(environ.REMOTE_ADDR).toBe(CLIENT_ADDRESS);
  });

  it('a client-sent X-Forwarded-For through nginx does not win: nginx appends the real address', async () => {
    const environ = report(
      await send(nginxPort, {
        path: '/spoof',
        headers: { 'X-Forwarded-For': '6.6.6.6', 'X-Forwarded-Proto': 'https' },
      }),
    ).environ;
    expect(environ.HTTP_X_FORWARDED_FOR).toBe(`6.6.6.6, ${CLIENT_ADDRESS}`);
    expect(environ.REMOTE_ADDR).toBe(CLIENT_ADDRESS);
    expect(environ['wsgi.url_scheme']).toBe('http');
  });

  it('a client that goes straight to tsgi cannot spoof REMOTE_ADDR or the scheme', async () => {
    const environ = report(
      await send(served.port, {
        path: '/direct',
        localAddress: '127.0.0.1',
        headers: { 'X-Forwarded-For': '6.6.6.6', 'X-Real-Ip': '6.6.6.6', 'X-Forwarded-Proto': 'https' },
      }),
    ).environ;
    expect(environ.REMOTE_ADDR).toBe('127.0.0.1');
    expect(environ['wsgi.url_scheme']).toBe('http');
  });

  it('a 20 MiB upload passes intact (nginx buffers it and sends a Content-Length)', async () => {
    const body = randomBytes(UPLOAD_SIZE);
    const reply = await send(nginxPort, { path: '/upload', method: 'POST', body });
    expect(reply.status).toBe(200);
    const result = report(reply);
    expect(result.bodyLength).toBe(UPLOAD_SIZE);
    expect(result.bodySha256).toBe(sha256(body));
    expect(result.environ.CONTENT_LENGTH).toBe(String(UPLOAD_SIZE));
  });

  it('a 20 MiB chunked upload streamed through nginx passes intact', async () => {
    const body = randomBytes(UPLOAD_SIZE);
    const reply = await send(nginxPort, { path: '/unbuffered/upload', method: 'POST', body, chunked: true });
    expect(reply.status).toBe(200);
    const result = report(reply);
    expect(result.bodyLength).toBe(UPLOAD_SIZE);
    expect(result.bodySha256).toBe(sha256(body));
  });

  it.each(['/stream', '/unbuffered/stream'])(
    'a 20 MiB streamed response passes intact (%s)',
    async (path) => {
      const expected = createHash('sha256');
      for (let index = 0; index < STREAM_CHUNKS; index++) expected.update(streamChunk(index));
      const reply = await send(nginxPort, { path });
      expect(reply.status).toBe(200);
      expect(reply.body.length).toBe(STREAM_CHUNKS * 64 * 1024);
      expect(sha256(reply.body)).toBe(expected.digest('hex'));
    },
  );

  describe('over a Unix socket', () => {
    it('the socket file has the mode asked for', () => {
      expect(statSync(join(directory, 'tsgi.sock')).mode & 0o777).toBe(0o600);
    });

    it('proxy headers from the socket are believed: the client address and scheme nginx reports', async () => {
      const environ = report(
        await send(nginxPort, { path: '/unix/who', headers: { 'X-Forwarded-For': '6.6.6.6' } }),
      ).environ;
      // nginx appends the real client; the rightmost untrusted hop is the client.
      expect(environ.REMOTE_ADDR).toBe(CLIENT_ADDRESS);
      expect(environ['wsgi.url_scheme']).toBe('https');
    });

    it('a 20 MiB upload passes intact, buffered by nginx and streamed (proxy_request_buffering off)', async () => {
      for (const [path, chunked] of [
        ['/unix/upload', false],
        ['/unix-unbuffered/upload', true],
      ] as const) {
        const body = randomBytes(UPLOAD_SIZE);
        const reply = await send(nginxPort, { path, method: 'POST', body, chunked });
        expect(reply.status).toBe(200);
        expect(report(reply).bodySha256).toBe(sha256(body));
      }
    });

    it.each(['/unix/stream', '/unix-unbuffered/stream'])(
      'a 20 MiB streamed response passes intact, proxy_buffering on and off (%s)',
      async (path) => {
        const expected = createHash('sha256');
        for (let index = 0; index < STREAM_CHUNKS; index++) expected.update(streamChunk(index));
        const reply = await send(nginxPort, { path });
        expect(reply.status).toBe(200);
        expect(sha256(reply.body)).toBe(expected.digest('hex'));
      },
    );

    it('a client that stalls mid-response and leaves does not disturb the next request', async () => {
      // Take the headers, read nothing of the 20 MiB body for a moment, then leave.
      const finished = new Promise<void>((resolve) => {
        const outgoing = httpRequest(
          {
            host: '127.0.0.1',
            port: nginxPort,
            path: '/unix/stream',
            localAddress: CLIENT_ADDRESS,
            agent: false,
          },
          (incoming) => {
            incoming.pause();
            setTimeout(() => {
              incoming.destroy();
              resolve();
            }, 500);
          },
        );
        outgoing.end();
      });
      await finished;
      // The server still answers others at once.
      expect((await send(nginxPort, { path: '/unix/after-slow' })).status).toBe(200);
    });
  });
});

import { connect } from 'node:net';
import { Client, request as fetchRequest } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { HTTPConnection, RequestCallback } from '../src/index.js';
import { dechunk, delay, rawRequest, serve, statusOf } from './helpers.js';

type Served = Awaited<ReturnType<typeof serve>>;
let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

const hello = new TextEncoder().encode('hello');

/**
 * Runs `writeAll` as the handler of a request from a client that reads nothing and leaves after `leaveAfterMs`;
 * resolves to what it threw.
 */
async function writeToStalledClient(
  writeAll: (connection: HTTPConnection) => Promise<void>,
  leaveAfterMs: number,
): Promise<unknown> {
  let rejection: unknown;
  let handled!: () => void;
  const finished = new Promise<void>((resolve) => {
    handled = resolve;
  });
  served = await serve(async (request) => {
    try {
      await writeAll(request.connection);
    } catch (error) {
      rejection = error;
    }
    handled();
  });
  const socket = connect(served.port, '127.0.0.1');
  socket.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  socket.pause();
  await delay(leaveAfterMs);
  socket.destroy();
  await finished;
  return rejection;
}

async function rawWith(callback: RequestCallback, payload: string, options = {}, waitMs = 1500) {
  served = await serve(callback, options);
  return rawRequest(served.port, payload, waitMs);
}

describe('framing', () => {
  it('writes headers and a first chunk; Content-Length honoured; Date added; keep-alive on 1.1', async () => {
    const { data, closed } = await rawWith(
      async (request) => {
        await request.connection.writeHeaders(
          { code: 200, reason: 'OK' },
          ['Content-Type', 'text/plain', 'Content-Length', '5'],
          hello,
        );
        request.connection.finish();
      },
      'GET / HTTP/1.1\r\nHost: a\r\n\r\n',
      {},
      300,
    );
    expect(data).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(data).toMatch(/\r\nContent-Length: 5\r\n/);
    expect(data).toMatch(/\r\nDate: /);
    expect(data).toMatch(/\r\nConnection: keep-alive\r\n/i);
    expect(data.endsWith('\r\n\r\nhello')).toBe(true);
    expect(closed).toBe(false);
  });

  it('keeps repeated headers (Set-Cookie) in order', async () => {
    const { data } = await rawWith(
      (request) => request.connection.respond(200, 'x', ['Set-Cookie', 'a=1', 'Set-Cookie', 'b=2']),
      'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
    );
    expect(data).toMatch(/Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n/);
  });

  it('chunked on HTTP/1.1 without a length', async () => {
    const { data } = await rawWith(async (request) => {
      await request.connection.writeHeaders({ code: 200, reason: 'OK' }, ['Content-Type', 'text/plain']);
      await request.connection.write(hello);
      await request.connection.write(new Uint8Array(0));
      await request.connection.write(hello);
      request.connection.finish();
    }, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    expect(data).toMatch(/Transfer-Encoding: chunked\r\n/);
    expect(data.endsWith('\r\n\r\n5\r\nhello\r\n5\r\nhello\r\n0\r\n\r\n')).toBe(true);
  });

  it('sends the first chunk with the headers and joins the chunks written after it in the same tick', async () => {
    const parts = Array.from({ length: 50 }, (_, index) => `part ${index};`);
    const { data } = await rawWith(async (request) => {
      await request.connection.writeHeaders({ code: 200, reason: 'OK' }, ['Content-Type', 'text/plain']);
      for (const part of parts) await request.connection.write(new TextEncoder().encode(part));
      request.connection.finish();
    }, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    const bodyStart = data.indexOf('\r\n\r\n') + 4;
    expect(dechunk(data, bodyStart).payload).toBe(parts.join(''));
    // Two chunks on the wire: the first as written, the other 49 as one (the terminating `0` chunk aside).
    expect(data.slice(bodyStart).match(/(^|\r\n)[1-9a-f][0-9a-f]*\r\n/g)?.length).toBe(2);
  });

  it('writes a large chunk as it is, after the small ones batched before it, in order', async () => {
    const large = new Uint8Array(20 * 1024).fill(120);
    const { data } = await rawWith(async (request) => {
      await request.connection.writeHeaders({ code: 200, reason: 'OK' }, ['Content-Type', 'text/plain']);
      await request.connection.write(hello);
      await request.connection.write(hello);
      await request.connection.write(large);
      await request.connection.write(hello);
      request.connection.finish();
    }, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    const bodyStart = data.indexOf('\r\n\r\n') + 4;
    expect(dechunk(data, bodyStart).payload).toBe(`hellohello${'x'.repeat(large.length)}hello`);
    // The first as written, the second batched, the large one alone, the last one with finish().
    expect(data.slice(bodyStart).match(/(^|\r\n)[1-9a-f][0-9a-f]*\r\n/g)?.length).toBe(4);
  });

  it('close-delimited on HTTP/1.0 without a length, even when keep-alive was asked', async () => {
    const stream: RequestCallback = async (request) => {
      await request.connection.writeHeaders({ code: 200, reason: 'OK' }, []);
      await request.connection.write(hello);
      request.connection.finish();
    };
    const plain = await rawWith(stream, 'GET / HTTP/1.0\r\n\r\n');
    expect(plain.closed).toBe(true);
    expect(plain.data).not.toMatch(/chunked/i);
    expect(plain.data.endsWith('\r\n\r\nhello')).toBe(true);
    await served?.close();
    const asked = await rawWith(stream, 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    expect(asked.closed).toBe(true);
    expect(asked.data).toMatch(/Connection: close/i);
  });

  it('HTTP/1.0 keep-alive when asked and framed by Content-Length; plain 1.0 closes', async () => {
    const framed = await rawWith(
      (request) => request.connection.respond(200, 'hi'),
      'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
      {},
      400,
    );
    expect(framed.data).toMatch(/Connection: keep-alive/i);
    expect(framed.closed).toBe(false);
    await served?.close();
    const plain = await rawWith((request) => request.connection.respond(200, 'hi'), 'GET / HTTP/1.0\r\n\r\n');
    expect(plain.closed).toBe(true);
  });

  it('1.1 Connection: close is honoured; noKeepAlive closes every connection', async () => {
    const asked = await rawWith(
      (request) => request.connection.respond(200, 'hi'),
      'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
    );
    expect(asked.data).toMatch(/Connection: close/i);
    expect(asked.closed).toBe(true);
    await served?.close();
    const forced = await rawWith(
      (request) => request.connection.respond(200, 'hi'),
      'GET / HTTP/1.1\r\nHost: a\r\n\r\n',
      { noKeepAlive: true },
    );
    expect(forced.data).toMatch(/Connection: close/i);
    expect(forced.closed).toBe(true);
  });

  it('no body on HEAD (Content-Length kept, connection reusable), 204 and 304', async () => {
    served = await serve(async (request) => {
      const code = Number(request.path.slice(1)) || 200;
      await request.connection.writeHeaders(
        { code, reason: 'X' },
        code === 200 ? ['Content-Length', '5'] : [],
        hello,
      );
      request.connection.finish();
    });
    const head = await rawRequest(
      served.port,
      'HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET /204 HTTP/1.1\r\nHost: a\r\n\r\nGET /304 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
    );
    const responses = head.data.split(/(?=HTTP\/1\.1 )/);
    expect(responses).toHaveLength(3);
    expect(responses[0]).toMatch(/^HTTP\/1\.1 200 X\r\n/);
    expect(responses[0]).toMatch(/Content-Length: 5\r\n/);
    expect(responses[0]!.endsWith('\r\n\r\n')).toBe(true);
    expect(responses[1]).toMatch(/^HTTP\/1\.1 204 X\r\n/);
    expect(responses[1]!.endsWith('\r\n\r\n')).toBe(true);
    expect(responses[1]).not.toMatch(/Content-Length|Transfer-Encoding/i);
    expect(responses[2]).toMatch(/^HTTP\/1\.1 304 X\r\n/);
    expect(responses[2]!.endsWith('\r\n\r\n')).toBe(true);
  });

  it('drops bytes past Content-Length and logs it; the connection stays usable', async () => {
    served = await serve(async (request) => {
      await request.connection.writeHeaders({ code: 200, reason: 'OK' }, ['Content-Length', '2'], hello);
      await request.connection.write(hello);
      request.connection.finish();
    });
    const { data } = await rawRequest(
      served.port,
      'GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
    );
    const responses = data.split(/(?=HTTP\/1\.1 )/);
    expect(responses).toHaveLength(2);
    expect(responses[0]!.endsWith('\r\n\r\nhe')).toBe(true);
    expect(responses[1]!.endsWith('\r\n\r\nhe')).toBe(true);
    const excessLines = served.logger.lines.filter((line) =>
      /longer than its Content-Length/.test(line.text),
    );
    // Logged once per response (two responses here), not once per write.
    expect(excessLines).toEqual([
      {
        level: 'error',
        text: 'GET /: response body longer than its Content-Length; excess bytes dropped',
      },
      {
        level: 'error',
        text: 'GET /: response body longer than its Content-Length; excess bytes dropped',
      },
    ]);
  });

  it('a body short of its Content-Length at finish() closes the connection instead of hanging', async () => {
    const { data, closed } = await rawWith(async (request) => {
      await request.connection.writeHeaders({ code: 200, reason: 'OK' }, ['Content-Length', '10'], hello);
      request.connection.finish();
    }, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(closed).toBe(true);
    expect(data.endsWith('\r\n\r\nhello')).toBe(true);
    expect(served!.logger.text()).toMatch(/5 bytes short of its Content-Length/);
  });

  it('refuses an invalid header value without sending, so a 500 can still go out', async () => {
    let rejection: unknown;
    const { data } = await rawWith(async (request) => {
      try {
        await request.connection.writeHeaders({ code: 200, reason: 'OK' }, ['X-Bad', 'a\r\nInjected: 1']);
      } catch (error) {
        rejection = error;
      }
      await request.connection.respond(500, 'oops');
    }, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    expect(rejection).toBeInstanceOf(Error);
    expect(statusOf(data)).toBe(500);
    expect(data).not.toContain('Injected');
  });

  it('finish() without writeHeaders sends an empty 200', async () => {
    const { data } = await rawWith(
      (request) => request.connection.finish(),
      'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
    );
    expect(statusOf(data)).toBe(200);
    expect(data).toMatch(/Content-Length: 0/i);
  });
});

describe('errors in the callback', () => {
  it('a throw before responding gets a 500 and a log line; the server keeps serving', async () => {
    served = await serve((request) => {
      if (request.path === '/boom') throw new Error('kaput');
      return request.connection.respond(200, 'fine');
    });
    const boom = await fetchRequest(`${served.url}/boom`);
    expect(boom.statusCode).toBe(500);
    expect(await boom.body.text()).toContain('Internal Server Error');
    expect(served.logger.text()).toMatch(
      /error: Uncaught exception in GET \/boom \(127\.0\.0\.1\): Error: kaput/,
    );
    const fine = await fetchRequest(`${served.url}/`);
    expect(await fine.body.text()).toBe('fine');
  });

  it('a rejection after the headers aborts the connection (no hang) and logs', async () => {
    const { data, closed } = await rawWith(async (request) => {
      await request.connection.writeHeaders({ code: 200, reason: 'OK' }, []);
      await request.connection.write(hello);
      throw new Error('mid-stream');
    }, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(closed).toBe(true);
    // Whatever was still buffered may be dropped, but the chunked body is never completed.
    expect(data).not.toContain('0\r\n\r\n');
    expect(served!.logger.text()).toMatch(/mid-stream/);
  });

  it('abort() closes at once', async () => {
    const { closed, data } = await rawWith(
      (request) => request.connection.abort(),
      'GET / HTTP/1.1\r\nHost: a\r\n\r\n',
    );
    expect(closed).toBe(true);
    expect(data).toBe('');
  });

  it('abort() in the tick of the first writes still sends what was written, then closes', async () => {
    const { closed, data } = await rawWith(async (request) => {
      await request.connection.writeHeaders({ code: 200, reason: 'OK' }, ['Content-Type', 'text/plain']);
      await request.connection.write(hello);
      await request.connection.write(hello);
      request.connection.abort();
    }, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(closed).toBe(true);
    expect(data).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    // Cut where it failed: both writes (the second batched), no terminating chunk.
    expect(data.endsWith('\r\n\r\n5\r\nhello\r\n5\r\nhello\r\n')).toBe(true);
  });
});

describe('backpressure and disconnects', () => {
  it('pipelined requests: a response queued behind a slow one streams with backpressure and arrives in order', async () => {
    const big = new Uint8Array(200_000).fill(120);
    served = await serve(async (request) => {
      const connection = request.connection;
      if (request.path === '/slow') await delay(200);
      await connection.writeHeaders({ code: 200, reason: 'OK' }, ['X-Path', request.path]);
      for (let index = 0; index < 5; index++) await connection.write(big);
      connection.finish();
    });
    const { data } = await rawRequest(
      served.port,
      'GET /slow HTTP/1.1\r\nHost: a\r\n\r\nGET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
      5000,
    );
    const paths = [...data.matchAll(/\r\nX-Path: (\S+)\r\n/g)].map((match) => match[1]);
    expect(paths).toEqual(['/slow', '/a', '/b']);
    // Each body is 1,000,000 bytes of "x", chunked; nothing lost or interleaved.
    let offset = 0;
    for (let index = 0; index < 3; index++) {
      const { payload, end } = dechunk(data, data.indexOf('\r\n\r\n', offset) + 4);
      expect(payload).toBe('x'.repeat(1_000_000));
      offset = end;
    }
    expect(offset).toBe(data.length);
  });

  it('a response streaming longer than every timeout is not cut off (timeouts are for reading requests)', async () => {
    served = await serve(
      async (request) => {
        await request.connection.writeHeaders({ code: 200, reason: 'OK' }, [
          'Content-Type',
          'text/event-stream',
        ]);
        for (let index = 0; index < 6; index++) {
          await request.connection.write(new TextEncoder().encode(`data: ${index}\n\n`));
          await delay(250);
        }
        request.connection.finish();
      },
      { headersTimeout: 300, bodyTimeout: 400, idleConnectionTimeout: 300 },
    );
    const response = await fetchRequest(served.url);
    const text = await response.body.text();
    expect(text).toBe([0, 1, 2, 3, 4, 5].map((index) => `data: ${index}\n\n`).join(''));
  });

  it('write() waits for drain, and rejects and aborts the signal once the client is gone', async () => {
    let pendingSeen = false;
    let signalReason: unknown;
    const rejection = await writeToStalledClient(async (connection) => {
      connection.signal.addEventListener('abort', () => {
        signalReason = connection.signal.reason;
      });
      await connection.writeHeaders({ code: 200, reason: 'OK' }, []);
      const big = new Uint8Array(1 << 20);
      for (let index = 0; index < 1000; index++) {
        let settled = false;
        const written = connection.write(big).finally(() => {
          settled = true;
        });
        await Promise.resolve();
        if (!settled) pendingSeen = true;
        await written;
      }
    }, 300);
    expect(pendingSeen).toBe(true);
    expect(rejection).toMatchObject({ name: 'StreamClosedError' });
    expect(signalReason).toMatchObject({ name: 'StreamClosedError' });
  });

  it('small writes, one per tick, still wait for drain while the client reads nothing', async () => {
    let accepted = 0;
    const rejection = await writeToStalledClient(async (connection) => {
      await connection.writeHeaders({ code: 200, reason: 'OK' }, []);
      const chunk = new Uint8Array(1024);
      for (;;) {
        await connection.write(chunk);
        accepted += chunk.length;
        await new Promise((next) => setImmediate(next));
      }
    }, 500);
    expect(rejection).toMatchObject({ name: 'StreamClosedError' });
    // The socket buffers and the response's high-water mark, not everything the loop could produce in 500 ms.
    expect(accepted).toBeLessThan(32 << 20);
  });

  it('a later request on a keep-alive socket gets a live signal, aborted when the client leaves', async () => {
    const seen: { aborted: boolean; reason?: unknown }[] = [];
    let second: (() => void) | undefined;
    const secondAborted = new Promise<void>((resolve) => {
      second = resolve;
    });
    served = await serve(async (request) => {
      const connection = request.connection;
      const entry: { aborted: boolean; reason?: unknown } = { aborted: connection.signal.aborted };
      seen.push(entry);
      if (request.uri === '/first') {
        await connection.respond(200, 'x');
        return;
      }
      connection.signal.addEventListener('abort', () => {
        entry.reason = connection.signal.reason;
        second?.();
      });
      await connection.writeHeaders({ code: 200, reason: 'OK' }, ['Content-Length', '100']);
    });
    const socket = connect(served.port, '127.0.0.1');
    socket.write('GET /first HTTP/1.1\r\nHost: a\r\n\r\n');
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    while (!received.includes('\r\n\r\nx')) await delay(10);
    socket.write('GET /second HTTP/1.1\r\nHost: a\r\n\r\n');
    while (seen.length < 2) await delay(10);
    // A reset: the second response writes nothing more, so a plain FIN would read as a half-close (the client may
    // still be reading) and the response would rightly wait.
    socket.resetAndDestroy();
    await secondAborted;
    expect(seen.map((entry) => entry.aborted)).toEqual([false, false]);
    expect(seen[1]?.reason).toMatchObject({ name: 'StreamClosedError' });
  });

  it('a write still waiting for drain when the response finishes resolves once the body is delivered', async () => {
    let outcome: unknown;
    let handled!: () => void;
    const settled = new Promise<void>((resolve) => {
      handled = resolve;
    });
    served = await serve(async (request) => {
      const connection = request.connection;
      await connection.writeHeaders({ code: 200, reason: 'OK' }, []);
      // More than any socket buffer takes at once: the write must wait for 'drain'.
      const written = connection.write(new Uint8Array(8 << 20));
      connection.finish();
      outcome = await written.then(
        () => 'resolved',
        (error: unknown) => error,
      );
      handled();
    });
    const response = await fetchRequest(served.url);
    // A slow reader, so the write is still pending when finish() is called.
    await delay(100);
    let received = 0;
    for await (const part of response.body) received += part.length;
    await settled;
    expect(received).toBe(8 << 20);
    expect(outcome).toBe('resolved');
  });

  it('signal read after a normal finish is not aborted', async () => {
    let aborted: boolean | undefined;
    served = await serve(async (request) => {
      await request.connection.respond(200, 'x');
      aborted = request.connection.signal.aborted;
    });
    await (await fetchRequest(served.url)).body.text();
    expect(aborted).toBe(false);
  });
});

describe('access log', () => {
  it("writes Tornado's line at a level by status when accessLog is true", async () => {
    served = await serve(
      (request) => request.connection.respond(Number(request.query.slice(2)) || 200, 'x'),
      { accessLog: true },
    );
    const client = new Client(served.url);
    for (const status of [200, 404, 503])
      await (await client.request({ path: `/a?s=${status}`, method: 'GET' })).body.text();
    await client.close();
    const lines = served.logger.lines;
    expect(lines[0]).toMatchObject({ level: 'info' });
    expect(lines[0]!.text).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z 200 GET \/a\?s=200 \(127\.0\.0\.1\) \d+\.\d{2}ms 1B "-"$/,
    );
    expect(lines[1]).toMatchObject({ level: 'warn' });
    expect(lines[1]!.text).toMatch(/Z 404 GET/);
    expect(lines[2]).toMatchObject({ level: 'error' });
    expect(lines[2]!.text).toMatch(/Z 503 GET/);
  });

  it('passes structured fields to a pino-like logger: logger.info(fields, line), with `this` kept', async () => {
    const calls: { fields: Record<string, unknown>; line: string }[] = [];
    const pinoLike = {
      calls,
      info(this: { calls: typeof calls }, fields: Record<string, unknown>, line: string) {
        this.calls.push({ fields, line });
      },
      warn() {},
      error() {},
    };
    served = await serve((request) => request.connection.respond(200, 'twelve bytes'), {
      logger: pinoLike as never,
      accessLog: { format: 'combined', fields: true },
    });
    await (
      await fetchRequest(`${served.url}/p`, { headers: { 'User-Agent': 'probe/1', Referer: 'http://r/' } })
    ).body.text();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.fields).toMatchObject({
      status: 200,
      method: 'GET',
      uri: '/p',
      version: 'HTTP/1.1',
      bytes: 12,
      userAgent: 'probe/1',
      referer: 'http://r/',
    });
    expect(calls[0]!.fields.time).toBeInstanceOf(Date);
    expect(calls[0]!.line).toMatch(
      /^127\.0\.0\.1 - - \[.+\] "GET \/p HTTP\/1\.1" 200 12 "http:\/\/r\/" "probe\/1"$/,
    );
  });

  it('with successes: false logs only 4xx and 5xx, and a refused request once', async () => {
    served = await serve((request) => request.connection.respond(request.path === '/missing' ? 404 : 200), {
      accessLog: { successes: false },
      maxBodySize: 4,
    });
    await (await fetchRequest(`${served.url}/ok`)).body.text();
    await (await fetchRequest(`${served.url}/missing`)).body.text();
    await (await fetchRequest(`${served.url}/big`, { method: 'POST', body: 'too large' })).body.text();
    const access = served.logger.lines.filter((line) => /Z \d{3} /.test(line.text));
    expect(access.map((line) => line.text.split(' ').slice(1, 4).join(' '))).toEqual([
      '404 GET /missing',
      '413 POST /big',
    ]);
  });

  it('calls a hook with each entry, and logs nothing by default', async () => {
    const entries: unknown[] = [];
    served = await serve((request) => request.connection.respond(201), {
      accessLog: (entry) => entries.push(entry),
    });
    await (await fetchRequest(`${served.url}/x?y`)).body.text();
    expect(entries).toEqual([
      expect.objectContaining({ status: 201, method: 'GET', uri: '/x?y', remoteIp: '127.0.0.1' }),
    ]);
    expect(served.logger.lines).toEqual([]);
  });
});

describe('listen', () => {
  it("awaits the target's ready() and fails listen() when it rejects", async () => {
    const { HTTPServer } = await import('../src/index.js');
    const failing = new HTTPServer({
      handleRequest: () => {},
      ready: () => Promise.reject(new Error('app did not load')),
    });
    await expect(failing.listen(0, '127.0.0.1')).rejects.toThrow('app did not load');
    expect(failing.httpServer.listening).toBe(false);
    let readied = false;
    const working = new HTTPServer({
      handleRequest: (request) => request.connection.respond(200, 'ok'),
      ready: async () => {
        readied = true;
      },
    });
    const { port } = await working.listen(0, '127.0.0.1');
    expect(readied).toBe(true);
    expect(port).toBeGreaterThan(0);
    await working.close();
  });

  it('rejects listen() on a port in use', async () => {
    served = await serve((request) => request.connection.respond(200));
    const { HTTPServer } = await import('../src/index.js');
    await expect(new HTTPServer(() => {}).listen(served.port, '127.0.0.1')).rejects.toThrow(/EADDRINUSE/);
  });
});

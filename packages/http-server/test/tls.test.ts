import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testLogger } from '../../../test-support/test-logger.js';
import { HTTPServer } from '../src/index.js';

/** A throwaway self-signed certificate for 127.0.0.1, made with openssl for this run only. */
function generateCertificate() {
  const directory = mkdtempSync(join(tmpdir(), 'tsgi-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        join(directory, 'key.pem'),
        '-out',
        join(directory, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(directory, 'key.pem')), cert: readFileSync(join(directory, 'cert.pem')) };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

describe('TLS', () => {
  let credentials: { key: Buffer; cert: Buffer };
  let server: HTTPServer;
  let port: number;
  const logger = testLogger();

  beforeAll(async () => {
    credentials = generateCertificate();
    server = new HTTPServer(
      async (request) => {
        const body = await request.readBody();
        await request.connection.respond(
          200,
          JSON.stringify({
            protocol: request.protocol,
            url: request.fullUrl(),
            body: Buffer.from(body).toString(),
          }),
        );
      },
      { tls: credentials, logger },
    );
    ({ port } = await server.listen(0, '127.0.0.1'));
  });
  afterAll(() => server.close({ timeoutMs: 1000 }));

  it('serves HTTPS; request.protocol is https', async () => {
    const client = new Client(`https://127.0.0.1:${port}`, { connect: { ca: credentials.cert } });
    const response = await client.request({ path: '/secure?x=1', method: 'POST', body: 'over tls' });
    expect(response.statusCode).toBe(200);
    expect(await response.body.json()).toEqual({
      protocol: 'https',
      url: `https://127.0.0.1:${port}/secure?x=1`,
      body: 'over tls',
    });
    await client.close();
  });

  it('a failed handshake is logged and does not disturb the server', async () => {
    await new Promise<void>((resolve) => {
      const socket = connect({ port, host: '127.0.0.1', rejectUnauthorized: true });
      socket.on('error', () => resolve());
    });
    const client = new Client(`https://127.0.0.1:${port}`, { connect: { ca: credentials.cert } });
    const response = await client.request({ path: '/', method: 'GET' });
    expect(response.statusCode).toBe(200);
    await response.body.dump();
    await client.close();
    expect(logger.text()).toMatch(/TLS handshake failed/);
  });
});

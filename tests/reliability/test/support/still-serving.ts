import { expect } from 'vitest';
import type { EnvironReport } from './gateway-target.js';
import { request } from './hostile-corpus.js';
import { parseResponses } from './http-wire.js';
import { exchange } from './raw-client.js';

/** The server still answers an ordinary request on a fresh connection. */
export async function expectStillServing(port: number) {
  const { data, closed } = await exchange(
    port,
    request('GET /next HTTP/1.1', ['Host: a', 'Connection: close']),
  );
  const parsed = parseResponses(data);
  expect(closed).toBe(true);
  expect(parsed.finals.map((response) => response.status)).toEqual([200]);
  const report = JSON.parse(parsed.finals[0]!.body.toString()) as EnvironReport;
  expect(report.environ.PATH_INFO).toBe('/next');
}

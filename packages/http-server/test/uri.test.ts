import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, expect } from 'vitest';
import type { HTTPServerRequest } from '../src/index.js';
import { rawRequest, serve } from './helpers.js';

let served: Awaited<ReturnType<typeof serve>>;
let last: HTTPServerRequest | undefined;
beforeAll(async () => {
  served = await serve((request) => {
    last = request;
    return request.connection.respond(200);
  });
});
afterAll(() => served.close());

// Characters llhttp accepts in a request target (visible ASCII but no "#", which would start a fragment).
const targetCharacter = fc.constantFrom(..."abcXYZ019-._~!$&'()*+,;=:@/%?".split(''));
const segment = fc.array(targetCharacter, { maxLength: 12 }).map((characters) => characters.join(''));

test.prop([segment, fc.option(segment, { nil: undefined })], { numRuns: 60 })(
  'uri is the target byte for byte; path + "?" + query rebuilds it; header values survive as sent',
  async (rawPath, rawQuery) => {
    const path = `/${rawPath.replaceAll('?', '')}`;
    const uri = rawQuery === undefined ? path : `${path}?${rawQuery}`;
    last = undefined;
    await rawRequest(
      served.port,
      `GET ${uri} HTTP/1.1\r\nHost: h\r\nX-Echo: ${rawPath}\r\nConnection: close\r\n\r\n`,
    );
    expect(last).toBeDefined();
    expect(last!.uri).toBe(uri);
    expect(last!.path).toBe(path);
    expect(last!.query).toBe(rawQuery ?? '');
    expect(last!.headers.get('x-echo')).toBe(rawPath.trim());
  },
);

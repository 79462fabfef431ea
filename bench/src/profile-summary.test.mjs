import { expect, test } from 'vitest';
import { selfTimes } from './profile-summary.mjs';

test('adds up each function’s sampled time and sorts by it, largest first', () => {
  const frame = (/** @type {string} */ functionName, /** @type {string} */ url, lineNumber = 0) => ({
    functionName,
    url,
    lineNumber,
  });
  const profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', '') },
      { id: 2, callFrame: frame('buildEnviron', 'file:///work/x/packages/environ/dist/index.js', 9) },
      { id: 3, callFrame: frame('', 'node:internal/http') },
      { id: 4, callFrame: frame('buildEnviron', 'file:///work/x/packages/environ/dist/index.js', 9) },
    ],
    samples: [2, 3, 4, 2, 1],
    timeDeltas: [100, 300, 100, 200, 300],
  };
  expect(selfTimes(profile)).toEqual([
    { name: 'buildEnviron packages/environ/dist/index.js:10', selfMs: 0.4, share: 0.4 },
    { name: '(anonymous) node:internal/http:1', selfMs: 0.3, share: 0.3 },
    { name: '(root)', selfMs: 0.3, share: 0.3 },
  ]);
});

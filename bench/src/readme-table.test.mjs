import { describe, expect, test } from 'vitest';
import { readmeTable, replaceBetweenMarkers } from './readme-table.mjs';
import { sampleDocument } from './sample-document.test-fixture.mjs';

describe('replaceBetweenMarkers', () => {
  const readme = 'intro\n<!-- performance-table:start -->\nold\n<!-- performance-table:end -->\noutro\n';
  test('replaces only what lies between the markers, keeping them', () => {
    expect(replaceBetweenMarkers(readme, 'new')).toBe(
      'intro\n<!-- performance-table:start -->\nnew\n<!-- performance-table:end -->\noutro\n',
    );
  });
  test('is idempotent', () => {
    const once = replaceBetweenMarkers(readme, 'new') ?? '';
    expect(replaceBetweenMarkers(once, 'new')).toBe(once);
  });
  test('leaves a README without markers alone', () => {
    expect(replaceBetweenMarkers('no markers\n', 'new')).toBeUndefined();
    expect(
      replaceBetweenMarkers('<!-- performance-table:end -->\n<!-- performance-table:start -->', 'new'),
    ).toBeUndefined();
  });
});

describe('readmeTable', () => {
  test('has the machine, the summary and the targets', () => {
    const table = readmeTable(sampleDocument()).replace(/ {2,}/g, ' ');
    expect(table).toMatch(/^Run of 2026-11-22T07:00:00Z\. 2 cores/);
    expect(table).toContain('| server | `hello` req/s (× raw)');
    expect(table).toContain('| inline `hello` ≥ 0.9× raw node:http |');
  });
  test('labels a quick run', () => {
    expect(readmeTable(sampleDocument('quick'))).toMatch(/^\*\*Quick smoke run\*\*/);
  });
});

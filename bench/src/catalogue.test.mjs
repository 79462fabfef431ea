import { describe, expect, test } from 'vitest';
import { serverColour, serverColours, serverLabel, serverLabels } from './catalogue.mjs';

describe('labels and colours', () => {
  test('a server of the catalogue keeps its own label and colour', () => {
    expect(serverLabel('tsgi-inline')).toBe(serverLabels['tsgi-inline']);
    expect(serverColour('tsgi-inline')).toBe(serverColours['tsgi-inline']);
  });

  test('a --before server reads as its counterpart, marked, in a lighter shade of its colour', () => {
    expect(serverLabel('tsgi-thread@before')).toBe(`${serverLabels['tsgi-thread']} — before`);
    const base = serverColours['tsgi-thread'];
    const before = serverColour('tsgi-thread@before');
    expect(before).toMatch(/^#[0-9a-f]{6}$/);
    for (const at of [1, 3, 5]) {
      const channel = (/** @type {string} */ colour) => Number.parseInt(colour.slice(at, at + 2), 16);
      expect(channel(before)).toBeGreaterThanOrEqual(channel(base));
    }
    expect(before).not.toBe(base);
  });

  test('an unknown server is shown by its name', () => {
    expect(serverLabel('mystery')).toBe('mystery');
  });
});

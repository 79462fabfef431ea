import { describe, expect, test } from 'vitest';
import { serverColour, serverColours, serverLabel, serverLabels, servesWorkload } from './catalogue.mjs';

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

describe('which server serves which workload', () => {
  test('the Flask servers serve the flask-* workloads, the gateway servers the others, raw node:http both', () => {
    expect(servesWorkload('tsgi-flask', 'flask-hello')).toBe(true);
    expect(servesWorkload('gunicorn-flask', 'flask-echo')).toBe(true);
    expect(servesWorkload('tsgi-flask', 'hello')).toBe(false);
    expect(servesWorkload('tsgi-thread', 'flask-hello')).toBe(false);
    expect(servesWorkload('tsgi-thread@before', 'hello')).toBe(true);
    expect(servesWorkload('tsgi-flask@before', 'flask-hello')).toBe(true);
    expect(servesWorkload('raw-node', 'flask-hello')).toBe(true);
    expect(servesWorkload('raw-node', 'hello')).toBe(true);
  });
});

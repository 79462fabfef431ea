import { describe, expect, test } from 'vitest';
import { serverNames, workloadNames } from './catalogue.mjs';
import { parseOptions } from './options.mjs';

describe('parseOptions', () => {
  test('the default run: 3 rounds of every server and workload, within ~11 minutes of measuring', () => {
    const options = parseOptions([]);
    expect(options).toMatchObject({ mode: 'full', rounds: 3, install: true, cpuProfile: false, help: false });
    expect(options.servers).toEqual(serverNames);
    expect(options.workloads).toEqual(workloadNames);
    expect(options.budgetSeconds).toBeLessThanOrEqual(11 * 60);
  });

  test('--quick is a short smoke run that still measures every figure twice', () => {
    const options = parseOptions(['--quick']);
    expect(options.mode).toBe('quick');
    expect(options.rounds).toBe(2);
    expect(options.slowReaderRounds).toBe(2);
    expect(options.durationSeconds).toBe(1);
    expect(options.budgetSeconds).toBeLessThanOrEqual(180);
  });

  test('--only and --workloads keep the catalogue order, and raw node:http is always measured', () => {
    const options = parseOptions(['--only', 'gunicorn,tsgi-inline', '--workloads', 'cpu, hello']);
    expect(options.servers).toEqual(['raw-node', 'tsgi-inline', 'gunicorn']);
    expect(options.workloads).toEqual(['hello', 'cpu']);
  });

  test('refuses unknown names, listing the known ones', () => {
    expect(() => parseOptions(['--only', 'express'])).toThrow(/unknown express \(known: raw-node/);
    expect(() => parseOptions(['--workloads', 'websocket'])).toThrow(/unknown websocket/);
  });

  test('refuses fewer than 2 rounds: every figure is measured at least twice', () => {
    expect(() => parseOptions(['--rounds', '1'])).toThrow(/at least 2/);
    expect(parseOptions(['--rounds', '5']).rounds).toBe(5);
  });

  test('a flag that needs a value says so', () => {
    expect(() => parseOptions(['--duration'])).toThrow(/--duration needs a value/);
    expect(() => parseOptions(['--duration', '--quick'])).toThrow(/needs a value/);
    expect(() => parseOptions(['--duration', 'soon'])).toThrow(/positive number/);
  });

  test('refuses an unknown option with the usage', () => {
    expect(() => parseOptions(['--fast'])).toThrow(/unknown option --fast[\s\S]*Usage/);
  });

  test('takes the pass-through separator pnpm may add, and the remaining flags', () => {
    const options = parseOptions(['--', '--out', '/tmp/x', '--cpu-prof', '--no-install', '--help']);
    expect(options).toMatchObject({ outDirectory: '/tmp/x', cpuProfile: true, install: false, help: true });
  });

  test('--before names the commit whose tsgi servers run beside the working tree in the same run', () => {
    expect(parseOptions([]).before).toBeUndefined();
    expect(parseOptions(['--before', 'main~3']).before).toBe('main~3');
    expect(() => parseOptions(['--before'])).toThrow(/--before needs a value/);
  });
});

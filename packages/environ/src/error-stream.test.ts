import { describe, expect, test } from 'vitest';
import { WSGIErrorStream } from './error-stream.js';

function recording() {
  const lines: string[] = [];
  return { lines, stream: new WSGIErrorStream((line) => lines.push(line)) };
}

describe('wsgi.errors', () => {
  test('one sink call per complete line, however the writes are split', () => {
    const { lines, stream } = recording();
    stream.write('Traceback: ');
    stream.write('boom');
    expect(lines).toEqual([]);
    stream.write('\nnext line\nthird');
    expect(lines).toEqual(['Traceback: boom', 'next line']);
    stream.write(' part\n');
    expect(lines).toEqual(['Traceback: boom', 'next line', 'third part']);
  });

  test('flush() emits a pending partial line once, and is a no-op otherwise', () => {
    const { lines, stream } = recording();
    stream.flush();
    stream.write('partial');
    stream.flush();
    stream.flush();
    expect(lines).toEqual(['partial']);
  });

  test('writelines() writes each string without adding newlines', () => {
    const { lines, stream } = recording();
    stream.writelines(['a\n', 'b', 'c\n', 'd']);
    stream.flush();
    expect(lines).toEqual(['a', 'bc', 'd']);
  });

  test('empty lines and arbitrary Unicode pass through', () => {
    const { lines, stream } = recording();
    stream.write('\n\ncafé ☕\n');
    expect(lines).toEqual(['', '', 'café ☕']);
  });

  test('write() of a non-string is a TypeError', () => {
    const { stream } = recording();
    expect(() => stream.write(new Uint8Array(1) as unknown as string)).toThrow(TypeError);
    expect(() => stream.write(null as unknown as string)).toThrow(/string, got null/);
  });
});

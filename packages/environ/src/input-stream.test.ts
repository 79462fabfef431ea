import { fc, test as propertyTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { BufferReader, type ByteReader, WSGIInputStream } from './input-stream.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string) => encoder.encode(text);
const text = (data: Uint8Array) => decoder.decode(data);

/**
 * A reader that hands out `body` in the given chunk sizes and records every call; with `copies`, it also copies
 * into a caller's array (`readInto`), in the same sizes.
 */
function chunkedReader(body: Uint8Array, sizes: readonly number[] = [3], copies = false) {
  const calls: number[] = [];
  let position = 0;
  let call = 0;
  const reader: ByteReader & { calls: number[]; endedCalls: number } = {
    calls,
    endedCalls: 0,
    read(maxBytes) {
      calls.push(maxBytes);
      if (position >= body.length) {
        reader.endedCalls++;
        return null;
      }
      const size = Math.max(1, Math.min(maxBytes, sizes[call++ % sizes.length]!));
      const chunk = body.slice(position, position + size);
      position += chunk.length;
      return chunk;
    },
  };
  if (copies) {
    reader.readInto = (target) => {
      const chunk = reader.read(target.length);
      if (chunk === null) return 0;
      target.set(chunk);
      return chunk.length;
    };
  }
  return reader;
}

describe.each([
  ['in memory', (body: Uint8Array) => new WSGIInputStream(body)],
  ['from a reader in 3-byte chunks', (body: Uint8Array) => new WSGIInputStream(chunkedReader(body))],
  ['from a BufferReader', (body: Uint8Array) => new WSGIInputStream(new BufferReader(body))],
])('wsgi.input %s', (_name, open) => {
  test('readInto() fills the target as read(size) would, then returns 0 at EOF', () => {
    const input = open(bytes('hello world\nmore'));
    expect(text(input.readline())).toBe('hello world\n');
    const target = new Uint8Array(3);
    expect(input.readInto(target)).toBe(3);
    expect(text(target)).toBe('mor');
    expect(input.readInto(target)).toBe(1);
    expect(text(target.subarray(0, 1))).toBe('e');
    expect(input.readInto(target)).toBe(0);
  });

  test('read() returns the rest, then an empty array at EOF', () => {
    const input = open(bytes('hello world'));
    expect(text(input.read(6))).toBe('hello ');
    expect(text(input.read())).toBe('world');
    expect(input.read()).toEqual(new Uint8Array(0));
    expect(input.read(5)).toEqual(new Uint8Array(0));
  });

  test('read(null) and read(-1) read the rest; read(0) reads nothing', () => {
    const input = open(bytes('abcdef'));
    expect(input.read(0).length).toBe(0);
    expect(text(input.read(2))).toBe('ab');
    expect(text(input.read(-1))).toBe('cdef');
    expect(open(bytes('xyz')).read(null)).toEqual(bytes('xyz'));
  });

  test('read(n) returns exactly n bytes while the body lasts', () => {
    const input = open(bytes('0123456789'));
    expect(text(input.read(4))).toBe('0123');
    expect(text(input.read(4))).toBe('4567');
    expect(text(input.read(4))).toBe('89');
  });

  test('readline(n) on a fresh body returns the first n bytes, not a false EOF (a2wsgi bug)', () => {
    const input = open(bytes('first line\nsecond\n'));
    expect(text(input.readline(5))).toBe('first');
    expect(text(input.readline())).toBe(' line\n');
    expect(text(input.readline(100))).toBe('second\n');
    expect(input.readline().length).toBe(0);
  });

  test('readline() returns a last line without a newline, then EOF', () => {
    const input = open(bytes('a\nlast'));
    expect(text(input.readline())).toBe('a\n');
    expect(text(input.readline())).toBe('last');
    expect(input.readline().length).toBe(0);
  });

  test('readlines() on an empty body is an empty list (a2wsgi raised IndexError)', () => {
    expect(open(new Uint8Array(0)).readlines()).toEqual([]);
  });

  test('readlines(hint) counts bytes, not lines (a2wsgi bug)', () => {
    const input = open(bytes('aa\nbb\ncc\ndd\n'));
    // 3 + 3 = 6 >= 5: stops after the second line.
    expect(input.readlines(5).map(text)).toEqual(['aa\n', 'bb\n']);
    expect(input.readlines(0).map(text)).toEqual(['cc\n', 'dd\n']);
  });

  test('iterates over lines', () => {
    expect([...open(bytes('x\ny\n\nz'))].map(text)).toEqual(['x\n', 'y\n', '\n', 'z']);
  });

  test('is binary-safe', () => {
    const body = Uint8Array.from({ length: 256 }, (_, index) => index);
    expect(open(body).read()).toEqual(body);
  });
});

describe('wsgi.input length', () => {
  test('clamps reads to the length even when the source has more', () => {
    expect(text(new WSGIInputStream(bytes('hello, trailing'), 5).read())).toBe('hello');
    const reader = chunkedReader(bytes('hello, trailing'), [100]);
    const input = new WSGIInputStream(reader, 5);
    expect(text(input.read())).toBe('hello');
    expect(input.read().length).toBe(0);
  });

  test('never asks the reader for more once the length was read (no blocking past the body)', () => {
    const reader = chunkedReader(bytes('0123456789'), [4]);
    const input = new WSGIInputStream(reader, 10);
    expect(text(input.read())).toBe('0123456789');
    expect(input.read().length).toBe(0);
    expect(input.readline().length).toBe(0);
    expect(reader.endedCalls).toBe(0);
    expect(Math.max(...reader.calls)).toBeLessThanOrEqual(10);
  });

  test('asks the reader for no more than the bytes still to come', () => {
    const reader = chunkedReader(bytes('abcdefgh'), [100]);
    const input = new WSGIInputStream(reader, 8);
    input.read(3);
    expect(reader.calls).toEqual([8]);
  });

  test('a length of 0 never calls the reader', () => {
    const reader = chunkedReader(bytes('unexpected'));
    expect(new WSGIInputStream(reader, 0).read().length).toBe(0);
    expect(reader.calls).toEqual([]);
  });

  test('a body shorter than its length ends early instead of hanging', () => {
    expect(text(new WSGIInputStream(chunkedReader(bytes('abc')), 10).read())).toBe('abc');
  });

  test('an empty chunk from the reader is the end', () => {
    const input = new WSGIInputStream({ read: () => new Uint8Array(0) });
    expect(input.read().length).toBe(0);
  });

  test('rejects a negative or fractional length', () => {
    expect(() => new WSGIInputStream(new Uint8Array(0), -1)).toThrow(RangeError);
    expect(() => new WSGIInputStream(new Uint8Array(0), 1.5)).toThrow(RangeError);
  });
});

/** The reference: Python's BytesIO semantics over the whole body. */
class ModelInput {
  position = 0;
  constructor(readonly body: Uint8Array) {}
  read(size: number | undefined) {
    const end = size === undefined || size < 0 ? this.body.length : this.position + size;
    const result = this.body.slice(this.position, end);
    this.position += result.length;
    return result;
  }
  readline(size: number | undefined) {
    const newline = this.body.indexOf(0x0a, this.position);
    let end = newline < 0 ? this.body.length : newline + 1;
    if (size !== undefined && size >= 0) end = Math.min(end, this.position + size);
    return this.read(end - this.position);
  }
  readlines(hint: number | undefined) {
    const lines: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const line = this.readline(undefined);
      if (line.length === 0) return lines;
      lines.push(line);
      total += line.length;
      if (hint !== undefined && hint > 0 && total >= hint) return lines;
    }
  }
}

const operation = fc.record({
  kind: fc.constantFrom('read', 'readline', 'readlines', 'readInto'),
  size: fc.option(fc.integer({ min: -2, max: 20 }), { nil: undefined }),
});
const lineyBytes = fc
  .array(fc.oneof(fc.constant(0x0a), fc.integer({ min: 0, max: 255 })), { maxLength: 80 })
  .map((values) => Uint8Array.from(values));

propertyTest.prop({
  body: lineyBytes,
  chunkSizes: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }),
  operations: fc.array(operation, { maxLength: 12 }),
  knownLength: fc.boolean(),
  readerCopies: fc.boolean(),
})(
  'read, readline, readlines and readInto agree with BytesIO on random bodies, chunkings and sizes',
  ({ body, chunkSizes, operations, knownLength, readerCopies }) => {
    const input = new WSGIInputStream(
      chunkedReader(body, chunkSizes, readerCopies),
      knownLength ? body.length : undefined,
    );
    const model = new ModelInput(body);
    for (const { kind, size } of operations) {
      if (kind === 'readlines') expect(input.readlines(size)).toEqual(model.readlines(size));
      else if (kind === 'readInto') {
        const target = new Uint8Array(Math.max(0, size ?? 8));
        const count = input.readInto(target);
        expect(target.subarray(0, count)).toEqual(model.read(target.length));
      } else expect(input[kind](size)).toEqual(model[kind](size));
    }
    expect(input.read()).toEqual(model.read(undefined));
  },
);

propertyTest.prop({
  body: lineyBytes,
  chunkSizes: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1 }),
})('iterating yields lines that join back to the body', ({ body, chunkSizes }) => {
  const lines = [...new WSGIInputStream(chunkedReader(body, chunkSizes))];
  const joined = new Uint8Array(lines.reduce((sum, line) => sum + line.length, 0));
  let offset = 0;
  for (const line of lines) {
    expect(line.length).toBeGreaterThan(0);
    expect(line.indexOf(0x0a)).toSatisfy((index: number) => index < 0 || index === line.length - 1);
    joined.set(line, offset);
    offset += line.length;
  }
  expect(joined).toEqual(body);
});

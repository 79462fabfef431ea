import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createRing, RingReader, RingWrite, RingWriter, ringEmpty } from './byte-ring.js';

/** The values that travel through the rings: an environ, a response head, body chunks, nested. */
const value = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: 'binary-ascii', maxLength: 300 }),
    fc.uint8Array({ maxLength: 600 }),
  ),
  value: fc.oneof(
    { depthSize: 'small' },
    tie('leaf'),
    fc.array(tie('value'), { maxLength: 6 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 12 }), fc.constant('__proto__')), tie('value'), {
      maxKeys: 6,
    }),
  ),
})).value;

/** Writes and reads in any interleaving: each `true` writes the next value (if it fits), each `false` reads one. */
const script = fc.record({
  capacity: fc.constantFrom(64, 256, 1024, 4096),
  values: fc.array(value, { maxLength: 60 }),
  steps: fc.array(fc.boolean(), { maxLength: 200 }),
});

describe('the byte ring', () => {
  test.prop([script], { numRuns: 300 })(
    'any sequence of records comes out in order, equal, across wrap-arounds and a full ring',
    ({ capacity, values, steps }) => {
      const ring = createRing(capacity);
      const writer = new RingWriter(ring);
      const reader = new RingReader(ring);
      const sent: unknown[] = [];
      const received: unknown[] = [];
      let next = 0;
      const drain = () => {
        for (let item = reader.read(); item !== ringEmpty; item = reader.read()) received.push(item);
      };
      const write = () => {
        if (next >= values.length) return;
        const outcome = writer.write(values[next]);
        expect(outcome).not.toBe(RingWrite.unencodable);
        if (outcome === RingWrite.written) sent.push(values[next++]);
        else {
          // Full: once drained, a record of up to half the ring always fits, wherever the ring stands.
          drain();
          const retried = writer.write(values[next]);
          if (retried === RingWrite.written) sent.push(values[next++]);
          else {
            expect(encodedSize(values[next])).toBeGreaterThan(writer.capacity / 2 - 8);
            next++; // too large for this ring: the pool would post it instead
          }
        }
      };
      for (const step of steps) {
        if (step) write();
        else {
          const item = reader.read();
          if (item !== ringEmpty) received.push(item);
        }
      }
      while (next < values.length) write();
      drain();
      expect(received).toEqual(sent.map(asCloned));
    },
  );

  it('wraps around: a record that does not fit before the end starts again at the beginning', () => {
    const ring = createRing(64);
    const writer = new RingWriter(ring);
    const reader = new RingReader(ring);
    const chunk = new Uint8Array(20).fill(7);
    for (let round = 0; round < 20; round++) {
      expect(writer.write(chunk)).toBe(RingWrite.written);
      expect(writer.write('x')).toBe(RingWrite.written);
      expect(reader.read()).toEqual(chunk);
      expect(reader.read()).toBe('x');
      expect(reader.read()).toBe(ringEmpty);
    }
  });

  it('says full when a record does not fit, and takes it once the reader made room', () => {
    const ring = createRing(64);
    const writer = new RingWriter(ring);
    const reader = new RingReader(ring);
    const chunk = new Uint8Array(20); // 4 + 1 + 4 + 20 bytes, padded: 32, half the ring
    expect(writer.write(chunk)).toBe(RingWrite.written);
    expect(writer.write(chunk)).toBe(RingWrite.written);
    expect(writer.write(chunk)).toBe(RingWrite.full);
    expect(reader.read()).toEqual(chunk);
    expect(writer.write(chunk)).toBe(RingWrite.written);
  });

  it('refuses what structured clone must carry instead', () => {
    const writer = new RingWriter(createRing(1024));
    class Point {
      x = 1;
    }
    const cycle: unknown[] = [];
    cycle.push(cycle);
    for (const refused of [
      new Map(),
      new Date(0),
      new Point(),
      new Int16Array(2),
      new Array(3), // holes
      '\ud800 lone surrogate',
      cycle,
      10n,
      () => {},
    ]) {
      expect(writer.write({ nested: [refused] })).toBe(RingWrite.unencodable);
    }
  });

  it('gives a Buffer back as a Uint8Array of its own bytes, as structured clone does', () => {
    const ring = createRing(256);
    const pooled = Buffer.from('a view of a larger pooled buffer');
    new RingWriter(ring).write({ chunk: pooled.subarray(2, 6) });
    const { chunk } = new RingReader(ring).read() as { chunk: Uint8Array };
    expect(chunk.constructor).toBe(Uint8Array);
    expect(chunk.buffer.byteLength).toBe(4);
    expect(Buffer.from(chunk).toString()).toBe('view');
  });
});

/** What a value looks like after the trip (a Buffer becomes a Uint8Array; -0 stays -0). */
function asCloned(value: unknown): unknown {
  return structuredClone(value);
}

function encodedSize(value: unknown): number {
  for (let capacity = 64; ; capacity *= 2) {
    if (new RingWriter(createRing(capacity)).write(value) === RingWrite.written) return capacity;
  }
}

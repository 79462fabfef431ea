import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { AnswerDecoder, AnswerEncoder, measureSlack, measureValue } from './answer-codec.js';
import {
  AnswerRingReader,
  AnswerRingWriter,
  createAnswerRing,
  minimumAnswerRingBytes,
} from './answer-ring.js';

/** A gateway-like message: a head with headers and a chunk, a body chunk, the end, a log line. */
const headers = fc.array(fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 60 })), {
  maxLength: 8,
});
const chunk = fc.uint8Array({ maxLength: 3000 });
const message = fc.oneof(
  fc.record({
    type: fc.constant('head'),
    code: fc.integer({ min: 100, max: 599 }),
    reason: fc.string({ maxLength: 30 }),
    headers,
    chunk: fc.option(chunk),
    end: fc.boolean(),
  }),
  fc.record({ type: fc.constant('body'), chunk, end: fc.boolean() }),
  fc.constant({ type: 'end' }),
  fc.record({
    type: fc.constant('log'),
    level: fc.constantFrom('warn', 'error'),
    text: fc.string({ unit: 'binary' }),
  }),
  chunk,
  fc.jsonValue({ maxDepth: 4 }),
  fc.double(),
  fc.constantFrom(undefined, null, -0, 2 ** 31, 'a\ud800b'),
);

/**
 * What `decode(encode(value))` must equal: what a structured clone gives (objects with `Object.prototype`, where
 * fast-check makes some without; chunks as plain Uint8Arrays).
 */
function expectSame(decoded: unknown, original: unknown): void {
  expect(decoded).toEqual(structuredClone(original));
}

/**
 * A writer and a reader on one ring, in one thread: the writer's "wait" drains the reader, as the main thread
 * would, so a full ring is exercised without a second thread.
 */
function ringPair(dataBytes: number, onFull: () => void) {
  const buffer = createAnswerRing(dataBytes);
  let wakes = 0;
  let fullWaits = 0;
  const writer = new AnswerRingWriter(
    buffer,
    () => wakes++,
    () => {
      fullWaits++;
      onFull();
    },
  );
  const reader = new AnswerRingReader(buffer);
  return { writer, reader, counts: () => ({ wakes, fullWaits }) };
}

function publish(writer: AnswerRingWriter, payloadBytes: number): void {
  writer.reserve(payloadBytes);
  writer.commit(payloadBytes);
}

describe('the answer codec', () => {
  test.prop([message])('decodes what it encoded, within what it measured', (value) => {
    const bytes = Buffer.from(new SharedArrayBuffer(64 * 1024));
    const encoder = new AnswerEncoder(bytes);
    const decoder = new AnswerDecoder(bytes);
    const measured = measureValue(value);
    expect(measured).toBeGreaterThan(0);
    // Twice: the second time its short strings travel by number.
    for (let round = 0; round < 2; round++) {
      const end = encoder.encode(value, 8, 8 + measured + measureSlack);
      expect(end).toBeGreaterThan(8);
      expect(end - 8).toBeLessThanOrEqual(measured);
      expectSame(decoder.decode(8), value);
      expect(decoder.offset).toBe(end);
    }
  });

  it('refuses what only a structured clone carries', () => {
    for (const value of [new Map(), new Date(), new Uint16Array(2), 1n, () => 1, new (class Point {})()]) {
      expect(measureValue(value)).toBe(-1);
      expect(measureValue({ nested: [value] })).toBe(-1);
    }
    const deep: unknown[] = [];
    let inner = deep;
    for (let depth = 0; depth < 20; depth++) {
      const next: unknown[] = [];
      inner.push(next);
      inner = next;
    }
    expect(measureValue(deep)).toBe(-1);
  });

  it('forgets the strings a record numbered when that record is not sent', () => {
    const bytes = Buffer.from(new SharedArrayBuffer(1024));
    const encoder = new AnswerEncoder(bytes);
    const decoder = new AnswerDecoder(bytes);
    encoder.mark();
    expect(encoder.encode({ type: 'head' }, 0, 1024)).toBeGreaterThan(0);
    encoder.rollBack(); // the reader never saw it
    const end = encoder.encode({ type: 'head' }, 0, 1024);
    expect(decoder.decode(0)).toEqual({ type: 'head' });
    expect(decoder.offset).toBe(end);
  });

  it('stops at the limit instead of writing past it', () => {
    const bytes = Buffer.from(new SharedArrayBuffer(1024));
    const encoder = new AnswerEncoder(bytes);
    expect(encoder.encode(new Uint8Array(100), 0, 50)).toBe(-1);
    expect(encoder.encode('x'.repeat(200), 0, 100)).toBe(-1);
  });
});

describe('the answer ring', () => {
  test.prop([fc.array(message, { minLength: 1, maxLength: 60 }), fc.integer({ min: 0, max: 3 })])(
    'delivers any sequence of messages whole and in order, across wrap-around and a full ring',
    (messages, sizeStep) => {
      const received: unknown[] = [];
      let decoder: AnswerDecoder;
      const drain = () => {
        while (pair.reader.next()) {
          received.push(decoder.decode(pair.reader.payloadOffset));
          pair.reader.release();
        }
      };
      const pair = ringPair(minimumAnswerRingBytes << sizeStep, drain);
      decoder = new AnswerDecoder(pair.reader.bytes);
      const encoder = new AnswerEncoder(pair.writer.bytes);
      const sent: unknown[] = [];
      for (const value of messages) {
        const size = measureValue(value) + measureSlack;
        if (size > pair.writer.maxPayload) continue; // the pool posts these
        const offset = pair.writer.reserve(size);
        encoder.mark();
        const end = encoder.encode(value, offset, offset + size);
        expect(end).toBeGreaterThan(0);
        pair.writer.commit(end - offset);
        sent.push(value);
        // Now and then the main thread falls behind, so the ring fills.
        if (sent.length % 7 === 0) drain();
      }
      drain();
      expect(received).toHaveLength(sent.length);
      received.forEach((value, index) => {
        expectSame(value, sent[index]);
      });
      expect(pair.reader.pending).toBe(false);
    },
  );

  it('wraps a record that does not fit before the end, and waits when the ring is full', () => {
    const payloads: number[] = [];
    const pair = ringPair(minimumAnswerRingBytes, () => {
      // Full: the reader takes one record, as a woken main thread would.
      expect(pair.reader.next()).toBe(true);
      payloads.push(pair.reader.payloadLength);
      pair.reader.release();
    });
    const size = pair.writer.maxPayload - 100;
    for (let index = 0; index < 5; index++) {
      const offset = pair.writer.reserve(size);
      pair.writer.bytes.fill(index, offset, offset + size);
      pair.writer.commit(size - index);
    }
    while (pair.reader.next()) {
      expect(pair.reader.bytes[pair.reader.payloadOffset]).toBe(payloads.length);
      payloads.push(pair.reader.payloadLength);
      pair.reader.release();
    }
    expect(payloads).toEqual([size, size - 1, size - 2, size - 3, size - 4]);
    expect(pair.counts().fullWaits).toBeGreaterThan(0);
  });

  it('wakes the main thread once per drain, not once per record', () => {
    const pair = ringPair(minimumAnswerRingBytes, () => {});
    for (let index = 0; index < 3; index++) publish(pair.writer, 8);
    expect(pair.counts().wakes).toBe(1);
    while (pair.reader.next()) pair.reader.release();
    expect(pair.reader.wakeHandled()).toBe(false);
    publish(pair.writer, 8);
    expect(pair.counts().wakes).toBe(2);
  });

  it('hands a drain that settles a record published meanwhile back to its caller', () => {
    const pair = ringPair(minimumAnswerRingBytes, () => {});
    publish(pair.writer, 4);
    // The reader is between its last record and settling: the writer sees the flag up and does not wake it.
    expect(pair.reader.next()).toBe(true);
    pair.reader.release();
    publish(pair.writer, 4);
    expect(pair.counts().wakes).toBe(1);
    expect(pair.reader.wakeHandled()).toBe(true);
    expect(pair.reader.next()).toBe(true);
  });
});

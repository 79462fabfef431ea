import type { MessagePort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { AnswerReceiver, type AnswerTarget } from './answer-receiver.js';
import { createAnswerRing } from './answer-ring.js';
import { AnswerSender } from './answer-sender.js';
import { ToMain } from './thread-protocol.js';

/** A sender and a receiver on one ring in one thread, the port a list whose messages "arrive" when told. */
function channel() {
  const ring = createAnswerRing(64 * 1024);
  const posted: unknown[][] = [];
  const port = { postMessage: (message: unknown[]) => void posted.push(message) } as unknown as MessagePort;
  const sender = new AnswerSender(ring, port);
  const receiver = new AnswerReceiver(ring);
  const delivered: unknown[] = [];
  let arrived = 0;
  const target: AnswerTarget = {
    unitMessage: (unitId, message) => void delivered.push([unitId, message]),
    unitDone: (unitId) => void delivered.push([unitId, 'done']),
    takePosted: () => {
      const units = posted.filter((message) => message[0] !== ToMain.drain);
      if (arrived >= units.length) return false;
      const message = units[arrived++]!;
      delivered.push([message[1], message[0] === ToMain.message ? message[2] : message[0]]);
      return true;
    },
  };
  return { sender, receiver, target, delivered, posted };
}

describe('the answer receiver', () => {
  it('keeps a posted message in its place: the drain waits at its mark until it has arrived', () => {
    const { sender, receiver, target, delivered, posted } = channel();
    const map = new Map([['b', 2]]);
    sender.message(1, 'a', 0, undefined);
    sender.message(1, map, 0, undefined); // not encodable: posted
    sender.message(1, 'c', 0, undefined);
    sender.done(1);
    // First the posted message has not arrived yet: the drain stops at its mark, and 'c' does not overtake it.
    receiver.drain({ ...target, takePosted: () => false }, true);
    expect(delivered).toEqual([[1, 'a']]);
    receiver.drain(target, true);
    expect(delivered).toEqual([
      [1, 'a'],
      [1, map],
      [1, 'c'],
      [1, 'done'],
    ]);
    // One wake-up for the first record; the posted message woke the main thread itself.
    expect(posted.filter((message) => message[0] === ToMain.drain)).toHaveLength(1);
  });

  it('posts chunks of 16 KiB or more (a transfer is cheaper than two copies) and failures', () => {
    const { sender, receiver, target, delivered, posted } = channel();
    const chunk = new Uint8Array(16 * 1024).fill(7);
    sender.message(3, { chunk }, chunk.byteLength, undefined);
    sender.failed(3, { name: 'Error', message: 'boom' });
    receiver.drain(target, true);
    const units = posted.filter((message) => message[0] !== ToMain.drain);
    expect(units.map((message) => message[0])).toEqual([ToMain.message, ToMain.failed]);
    expect(delivered).toHaveLength(2);
  });

  it('does not detach a chunk it copies into the ring, even one listed to transfer', () => {
    const { sender, receiver, target, delivered } = channel();
    const chunk = new Uint8Array(1000).fill(9);
    sender.message(4, { chunk }, chunk.byteLength, [chunk.buffer]);
    receiver.drain(target, true);
    expect(chunk.byteLength).toBe(1000);
    const [, message] = delivered[0] as [number, { chunk: Uint8Array }];
    expect(message.chunk).toEqual(chunk);
    expect(message.chunk.buffer).not.toBe(chunk.buffer);
  });
});

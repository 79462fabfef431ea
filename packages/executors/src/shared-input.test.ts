import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { SharedInput, type SharedInputRegion } from './shared-input.js';

const slots = 4;
const slotBytes = 256;

/** A body whose bytes say which body it is, so an overwrite shows. */
const bodyOf = (id: number, length: number) => new Uint8Array(length).fill((id % 250) + 1);

describe('SharedInput', () => {
  it('copies a body into a slot and takes the last freed slot next', () => {
    const input = new SharedInput(slots, slotBytes);
    const first = input.store(bodyOf(1, 100))!;
    const second = input.store(bodyOf(2, 100))!;
    expect(input.bytes.subarray(first.offset, first.offset + 100)).toEqual(bodyOf(1, 100));
    expect(second.offset).not.toBe(first.offset);
    second.release();
    second.release(); // twice is once
    expect(input.store(bodyOf(3, 10))!.offset).toBe(second.offset);
  });

  it('refuses what is empty, larger than a slot, or finds every slot taken', () => {
    const input = new SharedInput(slots, slotBytes);
    expect(input.store(new Uint8Array(0))).toBeUndefined();
    expect(input.store(new Uint8Array(slotBytes + 1))).toBeUndefined();
    const held = Array.from({ length: slots }, (_, id) => input.store(bodyOf(id, slotBytes)));
    expect(held.every((region) => region !== undefined)).toBe(true);
    expect(input.store(bodyOf(9, 1))).toBeUndefined();
    // Any slot given back serves the next body, whichever it is.
    held[2]!.release();
    expect(input.store(bodyOf(10, 1))!.offset).toBe(held[2]!.offset);
  });

  test.prop([
    fc.array(
      fc.oneof(
        fc.record({ store: fc.integer({ min: 1, max: slotBytes }) }),
        fc.record({ release: fc.nat() }),
      ),
      { maxLength: 200 },
    ),
  ])('live bodies keep their bytes, and a body finds a slot whenever one is free', (steps) => {
    const input = new SharedInput(slots, slotBytes);
    const live: { id: number; region: SharedInputRegion }[] = [];
    let nextId = 0;
    for (const step of steps) {
      if ('store' in step) {
        const id = nextId++;
        const region = input.store(bodyOf(id, step.store));
        expect(region === undefined).toBe(live.length === slots);
        if (region !== undefined) live.push({ id, region });
      } else if (live.length > 0) {
        const [released] = live.splice(step.release % live.length, 1);
        released!.region.release();
      }
      for (const { id, region } of live) {
        expect(input.bytes.subarray(region.offset, region.offset + region.length)).toEqual(
          bodyOf(id, region.length),
        );
      }
    }
  });
});

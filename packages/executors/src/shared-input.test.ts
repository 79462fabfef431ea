import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { SharedInput, type SharedInputRegion } from './shared-input.js';

const capacity = 1024;

/** A body whose bytes say which body it is, so an overwrite shows. */
const bodyOf = (id: number, length: number) => new Uint8Array(length).fill((id % 250) + 1);

describe('SharedInput', () => {
  it('copies a body in and hands its space back once released', () => {
    const input = new SharedInput(capacity);
    const body = bodyOf(7, 100);
    const region = input.store(body)!;
    expect(input.bytes.subarray(region.offset, region.offset + region.length)).toEqual(body);
    region.release();
    expect(input.store(bodyOf(8, 100))!.offset).toBe(0);
  });

  it('refuses what is empty or larger than an eighth of it, and what finds no room', () => {
    const input = new SharedInput(capacity);
    expect(input.store(new Uint8Array(0))).toBeUndefined();
    expect(input.store(new Uint8Array(capacity / 8 + 1))).toBeUndefined();
    const regions = Array.from({ length: 8 }, (_, id) => input.store(bodyOf(id, capacity / 8)));
    expect(regions.every((region) => region !== undefined)).toBe(true);
    expect(input.store(bodyOf(9, 1))).toBeUndefined();
    // Released out of order: the space comes back only once the older bodies are released too.
    regions[1]!.release();
    expect(input.store(bodyOf(10, 1))).toBeUndefined();
    regions[0]!.release();
    // Round the ring: the two freed eighths at the start, then full again.
    expect(input.store(bodyOf(11, capacity / 8))!.offset).toBe(0);
    expect(input.store(bodyOf(12, capacity / 8))!.offset).toBe(capacity / 8);
    expect(input.store(bodyOf(13, 1))).toBeUndefined();
  });

  test.prop([
    fc.array(
      fc.oneof(
        fc.record({ store: fc.integer({ min: 1, max: capacity / 8 }) }),
        fc.record({ release: fc.nat() }),
      ),
      { maxLength: 200 },
    ),
  ])('live bodies never overlap and keep their bytes, however stores and releases interleave', (steps) => {
    const input = new SharedInput(capacity);
    const live: { id: number; region: SharedInputRegion }[] = [];
    let nextId = 0;
    for (const step of steps) {
      if ('store' in step) {
        const id = nextId++;
        const region = input.store(bodyOf(id, step.store));
        if (region !== undefined) live.push({ id, region });
        // With nothing live, any body of an allowed size fits.
        else expect(live.length).toBeGreaterThan(0);
      } else if (live.length > 0) {
        const [released] = live.splice(step.release % live.length, 1);
        released!.region.release();
      }
      for (const { id, region } of live) {
        expect(region.end).toBeLessThanOrEqual(capacity);
        expect(input.bytes.subarray(region.offset, region.offset + region.length)).toEqual(
          bodyOf(id, region.length),
        );
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { type EmscriptenModule, installDirectCalls } from './direct-calls.js';

/** An interpreter's module as far as installDirectCalls reads it, with a function table of JavaScript functions. */
function fakeInterpreter(slots: Array<((...args: never[]) => unknown) | null>) {
  const heap = new Int32Array(64);
  const offsetAddress = 8; // where the field's offset inside _PyRuntime is stored
  const runtime = 64; // _PyRuntime's address; the field is at 64 + 16
  heap[offsetAddress / 4] = 16;
  const freed: number[] = [];
  let count: ((slot: number) => number) | undefined;
  const module: EmscriptenModule = {
    wasmTable: {
      get: (slot) => slots[slot] ?? null,
      get length() {
        return slots.length;
      },
    },
    HEAP32: heap,
    freeTableIndexes: freed,
    addFunction: (callable) => {
      count = callable as (slot: number) => number;
      slots.push(count as never);
      return slots.length - 1;
    },
    __PyRuntime: runtime,
    __PyEM_EMSCRIPTEN_COUNT_ARGS_OFFSET: offsetAddress,
  };
  return {
    module,
    slots,
    freed,
    field: () => heap[(runtime + 16) / 4],
    count: (slot: number) => count!(slot),
  };
}

const arities = [
  () => 0,
  (a: never) => a,
  (a: never, b: never) => [a, b],
  (a: never, b: never, c: never) => [a, b, c],
];

describe('installDirectCalls', () => {
  it('answers each slot with its function’s parameter count, and 255 for an empty slot', () => {
    const interpreter = fakeInterpreter([null, ...arities]);
    expect(installDirectCalls(interpreter.module)).toBe(true);
    // CPython reads the count function from this field on every call: it must name the installed slot.
    expect(interpreter.field()).toBe(5);
    expect([0, 1, 2, 3, 4].map(interpreter.count)).toEqual([255, 0, 1, 2, 3]);
  });

  it('asks JavaScript for slots added after start-up, and for slots freed and refilled since', () => {
    const interpreter = fakeInterpreter([...arities]);
    installDirectCalls(interpreter.module);
    interpreter.slots.push(arities[2]!);
    expect(interpreter.count(5)).toBe(2);
    interpreter.freed.push(1);
    interpreter.slots[1] = arities[3]!;
    expect(interpreter.count(1)).toBe(3);
    expect(interpreter.freed).toEqual([1]);
    expect(interpreter.count(0)).toBe(0);
  });

  it('leaves an interpreter alone that has a count function, or lacks what it reads', () => {
    const equipped = fakeInterpreter([...arities]);
    equipped.module.HEAP32![(64 + 16) / 4] = 42;
    expect(installDirectCalls(equipped.module)).toBe(false);
    expect(equipped.field()).toBe(42);
    expect(installDirectCalls({})).toBe(false);
  });
});

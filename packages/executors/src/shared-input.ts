/**
 * Request bodies in shared memory: the pool copies a unit's body into one SharedArrayBuffer that every worker
 * sees, and the work message names only where it lies. A structured clone would copy the body twice (into the
 * message, then out of it on the worker) and allocate it again on the worker's heap; here the event loop copies
 * it once and the worker allocates nothing.
 *
 * The buffer is cut into equal slots, one body each, given back once no thread reads the body any more. Free
 * slots are taken last-freed first, so the memory in use stays warm in the caches; and a body held long (a slow
 * request) holds only its own slot. A body larger than a slot, or one that finds every slot taken, travels in the
 * message as before.
 */

/** Where a body lies in the shared buffer, until `release()`. */
export class SharedInputRegion {
  released = false;

  constructor(
    private readonly owner: SharedInput,
    readonly offset: number,
    readonly length: number,
  ) {}

  release(): void {
    if (this.released) return;
    this.released = true;
    this.owner.free(this.offset);
  }
}

export class SharedInput {
  readonly buffer: SharedArrayBuffer;
  readonly bytes: Uint8Array;
  /** Offsets of the free slots; the last one is taken next. */
  private readonly freeSlots: number[] = [];

  constructor(
    slots: number,
    /** The largest body a slot holds. */
    readonly slotBytes: number,
  ) {
    this.buffer = new SharedArrayBuffer(slots * slotBytes);
    this.bytes = new Uint8Array(this.buffer);
    for (let slot = slots - 1; slot >= 0; slot--) this.freeSlots.push(slot * slotBytes);
  }

  /** Copies `body` in; `undefined` when it is empty, larger than a slot, or every slot is taken. */
  store(body: Uint8Array): SharedInputRegion | undefined {
    const length = body.byteLength;
    if (length === 0 || length > this.slotBytes) return undefined;
    const offset = this.freeSlots.pop();
    if (offset === undefined) return undefined;
    this.bytes.set(body, offset);
    return new SharedInputRegion(this, offset, length);
  }

  free(offset: number): void {
    this.freeSlots.push(offset);
  }

  /** Slots holding a body not released yet. */
  get inUse(): number {
    return this.bytes.byteLength / this.slotBytes - this.freeSlots.length;
  }
}

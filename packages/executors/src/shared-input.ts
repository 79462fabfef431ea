/**
 * Request bodies in shared memory: the pool copies a unit's body into one SharedArrayBuffer that every worker
 * sees, and the work message names only where it lies. A structured clone would copy the body twice (into the
 * message, then out of it on the worker) and allocate it again on the worker's heap; here the event loop copies
 * it once and allocates nothing.
 *
 * Space is taken in allocation order, round the buffer (a ring), and given back when no thread reads the body any
 * more — mostly in the same order, since a worker runs its units in turn; a body given back early waits for the
 * older ones before its space is reused. A body that does not fit travels in the message as before.
 */

/** Where a body lies in the shared buffer, until `release()`. */
export class SharedInputRegion {
  released = false;

  constructor(
    private readonly owner: SharedInput,
    readonly offset: number,
    /** Where the region's space ends: past `offset + length` when the ring skipped its end to fit it. */
    readonly end: number,
    readonly length: number,
  ) {}

  release(): void {
    if (this.released) return;
    this.released = true;
    this.owner.reclaim();
  }
}

export class SharedInput {
  readonly buffer: SharedArrayBuffer;
  readonly bytes: Uint8Array;
  /** Live regions, oldest first (released ones stay until every older one is released too). */
  private readonly regions: SharedInputRegion[] = [];
  private oldest = 0;

  constructor(capacity: number) {
    this.buffer = new SharedArrayBuffer(capacity);
    this.bytes = new Uint8Array(this.buffer);
  }

  /** A body may take at most this much, so that one large upload cannot take the room of many small ones. */
  get largestBody(): number {
    return this.bytes.byteLength >>> 3;
  }

  /** Copies `body` in; `undefined` when it is too large or the ring has no room for it now. */
  store(body: Uint8Array): SharedInputRegion | undefined {
    const length = body.byteLength;
    if (length === 0 || length > this.largestBody) return undefined;
    const offset = this.place(length);
    if (offset < 0) return undefined;
    this.bytes.set(body, offset);
    const region = new SharedInputRegion(this, offset, offset + length, length);
    this.regions.push(region);
    return region;
  }

  /** Where `length` bytes fit after the newest region, round the ring; -1 when they do not. */
  private place(length: number): number {
    const capacity = this.bytes.byteLength;
    const live = this.regions.length - this.oldest;
    if (live === 0) return 0;
    const head = this.regions[this.regions.length - 1]!.end;
    const tail = this.regions[this.oldest]!.offset;
    if (head > tail) {
      // [tail, head) is taken: room after head, or before tail.
      if (capacity - head >= length) return head;
      return tail >= length ? 0 : -1;
    }
    // Wrapped (or full, head meeting tail): [tail, capacity) and [0, head) are taken.
    return tail - head >= length ? head : -1;
  }

  /** Frees the space of the oldest regions that were released. */
  reclaim(): void {
    const regions = this.regions;
    while (this.oldest < regions.length && regions[this.oldest]!.released) this.oldest++;
    if (this.oldest === regions.length) {
      regions.length = 0;
      this.oldest = 0;
    } else if (this.oldest > 64 && this.oldest * 2 > regions.length) {
      regions.splice(0, this.oldest);
      this.oldest = 0;
    }
  }
}

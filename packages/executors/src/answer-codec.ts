/**
 * How a message is written into the answer ring and read back: the values a handler's messages are made of
 * (primitives, strings, `Uint8Array`s, arrays and plain objects of them), in a compact tagged form. Anything else
 * (a `Map`, a `Date`, a class instance, another typed array, a cycle) is not encodable: it travels by
 * `postMessage`, as before.
 *
 * Short strings (object keys, a header's name and value, a status) are sent once per ring and then by number, so
 * the main thread does not decode the same `Content-Type` for every request: each end keeps the same table, built
 * in the order the records travel.
 *
 * A decoded message equals the structured clone of the original, but for array holes (read as `undefined`) and
 * `Uint8Array`s (and Buffers), which come back as plain `Uint8Array`s copied out of the ring — a small one a view of
 * a shared slab, as Node's own small Buffers are.
 */

const Tag = {
  undefined: 0,
  null: 1,
  false: 2,
  true: 3,
  int32: 4,
  float64: 5,
  utf8: 6,
  utf16: 7,
  knownString: 8,
  newString: 9,
  bytes: 10,
  array: 11,
  object: 12,
} as const;

/** Strings up to this many UTF-16 units are numbered. */
const maxNumberedLength = 40;
/** Numbered strings per ring at most (ids are 16 bits): an application that sends endless distinct ones stops there. */
const maxNumberedStrings = 4096;
/** The slab small chunks are cut from, and the largest chunk cut from it. */
const slabBytes = 8 * 1024;
const maxSlabbedBytes = 4 * 1024;
/** Room `encode()` may want beyond what `measureValue()` says. */
export const measureSlack = 16;
/** Nesting deeper than this is left to `postMessage` (a structured clone also handles cycles). */
const maxDepth = 16;

/**
 * Bytes `value` may take at most, encoded; -1 when it is not encodable. A cheap walk: nothing is encoded. Reserve
 * `measureSlack` more: `encode()` checks room for its widest scalar before it looks at the value.
 */
export function measureValue(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'undefined':
    case 'boolean':
      return 1;
    case 'number':
      return 9;
    case 'string':
      return 8 + 3 * value.length;
    case 'object': {
      if (value === null) return 1;
      if (depth >= maxDepth) return -1;
      if (value instanceof Uint8Array) return 5 + value.byteLength;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return -1;
        let total = 5;
        for (let index = 0; index < value.length; index++) {
          const size = measureValue(value[index], depth + 1);
          if (size < 0) return -1;
          total += size;
        }
        return total;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return -1;
      let total = 5;
      for (const key in value) {
        const size = measureValue((value as Record<string, unknown>)[key], depth + 1);
        if (size < 0) return -1;
        total += 8 + 3 * key.length + size;
      }
      return total;
    }
    default:
      return -1;
  }
}

/** `String.prototype.isWellFormed` (Node 20), which the compiler's library does not know yet. */
interface WellFormedString {
  isWellFormed(): boolean;
}

/** The worker's end: encodes values into ring memory, numbering short strings as it goes. */
export class AnswerEncoder {
  private readonly numbers = new Map<string, number>();
  private readonly numbered: string[] = [];
  private readonly view: DataView;
  /** Strings numbered since `mark()`: taken back by `rollBack()` if their record is not sent. */
  private markedAt = 0;

  constructor(private readonly bytes: Buffer) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Starts a record: strings numbered from here are forgotten again by `rollBack()`. */
  mark(): void {
    this.markedAt = this.numbered.length;
  }

  /** The record was not sent: its numbered strings never reached the reader. */
  rollBack(): void {
    while (this.numbered.length > this.markedAt) this.numbers.delete(this.numbered.pop()!);
  }

  /**
   * Writes `value` at `offset`, never past `limit`; returns the offset after it, or -1 when it did not fit (a
   * getter that returned more the second time) or turned out not to be encodable.
   */
  encode(value: unknown, offset: number, limit: number, depth = 0): number {
    const { bytes, view } = this;
    if (offset + 9 > limit) return -1;
    switch (typeof value) {
      case 'undefined':
        bytes[offset] = Tag.undefined;
        return offset + 1;
      case 'boolean':
        bytes[offset] = value ? Tag.true : Tag.false;
        return offset + 1;
      case 'number':
        if ((value | 0) === value && !Object.is(value, -0)) {
          bytes[offset] = Tag.int32;
          view.setInt32(offset + 1, value, true);
          return offset + 5;
        }
        bytes[offset] = Tag.float64;
        view.setFloat64(offset + 1, value, true);
        return offset + 9;
      case 'string':
        return this.encodeString(value, offset, limit);
      case 'object': {
        if (value === null) {
          bytes[offset] = Tag.null;
          return offset + 1;
        }
        if (depth >= maxDepth) return -1;
        if (value instanceof Uint8Array) {
          const length = value.byteLength;
          if (offset + 5 + length > limit) return -1;
          bytes[offset] = Tag.bytes;
          view.setUint32(offset + 1, length, true);
          bytes.set(value, offset + 5);
          return offset + 5 + length;
        }
        if (Array.isArray(value)) {
          bytes[offset] = Tag.array;
          view.setUint32(offset + 1, value.length, true);
          let next = offset + 5;
          for (let index = 0; index < value.length && next >= 0; index++) {
            next = this.encode(value[index], next, limit, depth + 1);
          }
          return next;
        }
        const prototype = Object.getPrototypeOf(value);
        if (prototype !== Object.prototype && prototype !== null) return -1;
        bytes[offset] = Tag.object;
        let count = 0;
        let next = offset + 5;
        for (const key in value) {
          next = this.encodeString(key, next, limit);
          if (next < 0) return -1;
          next = this.encode((value as Record<string, unknown>)[key], next, limit, depth + 1);
          if (next < 0) return -1;
          count++;
        }
        view.setUint32(offset + 1, count, true);
        return next;
      }
      default:
        return -1;
    }
  }

  private encodeString(value: string, offset: number, limit: number): number {
    const { bytes, view } = this;
    if (value.length <= maxNumberedLength) {
      const number = this.numbers.get(value);
      if (number !== undefined) {
        if (offset + 3 > limit) return -1;
        bytes[offset] = Tag.knownString;
        view.setUint16(offset + 1, number, true);
        return offset + 3;
      }
      if (this.numbered.length < maxNumberedStrings) {
        // [newString, id:2, then the text as it is sent unnumbered: utf8|utf16, length:4, bytes].
        const end = this.encodeText(value, offset + 3, limit);
        if (end < 0) return -1;
        bytes[offset] = Tag.newString;
        view.setUint16(offset + 1, this.numbered.length, true);
        this.numbers.set(value, this.numbered.length);
        this.numbered.push(value);
        return end;
      }
    }
    return this.encodeText(value, offset, limit);
  }

  /** `[utf8 | utf16, length:4, text]`: UTF-16 only for a string with a lone surrogate, which UTF-8 would replace. */
  private encodeText(value: string, offset: number, limit: number): number {
    const { bytes, view } = this;
    const room = limit - offset - 5;
    if (room < 0) return -1;
    const wellFormed = (value as unknown as WellFormedString).isWellFormed();
    const written = wellFormed
      ? bytes.write(value, offset + 5, room, 'utf8')
      : bytes.write(value, offset + 5, room, 'utf16le');
    // A write that filled the room may have been cut short.
    if (written === room && (wellFormed ? Buffer.byteLength(value) : value.length * 2) > room) return -1;
    bytes[offset] = wellFormed ? Tag.utf8 : Tag.utf16;
    view.setUint32(offset + 1, written, true);
    return offset + 5 + written;
  }
}

/** The main thread's end: decodes what `AnswerEncoder` wrote, copying bytes out of the ring. */
export class AnswerDecoder {
  private readonly numbered: string[] = [];
  private readonly view: DataView;
  /** The ring as a plain `Uint8Array`, whose `slice()` makes one (a Buffer's makes a Buffer). */
  private readonly plainBytes: Uint8Array;
  private slab = new ArrayBuffer(slabBytes);
  private slabUsed = 0;
  /** Where the last `decode()` ended. */
  offset = 0;

  constructor(private readonly bytes: Buffer) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.plainBytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Decodes the value at `offset` (see `offset` for where it ended). */
  decode(offset: number): unknown {
    const { bytes, view } = this;
    const tag = bytes[offset]!;
    switch (tag) {
      case Tag.undefined:
        this.offset = offset + 1;
        return undefined;
      case Tag.null:
        this.offset = offset + 1;
        return null;
      case Tag.false:
      case Tag.true:
        this.offset = offset + 1;
        return tag === Tag.true;
      case Tag.int32:
        this.offset = offset + 5;
        return view.getInt32(offset + 1, true);
      case Tag.float64:
        this.offset = offset + 9;
        return view.getFloat64(offset + 1, true);
      case Tag.bytes: {
        const length = view.getUint32(offset + 1, true);
        const start = offset + 5;
        this.offset = start + length;
        return this.copyOut(start, length);
      }
      case Tag.array: {
        const length = view.getUint32(offset + 1, true);
        const array = new Array<unknown>(length);
        this.offset = offset + 5;
        for (let index = 0; index < length; index++) array[index] = this.decode(this.offset);
        return array;
      }
      case Tag.object: {
        const count = view.getUint32(offset + 1, true);
        const object: Record<string, unknown> = {};
        this.offset = offset + 5;
        for (let index = 0; index < count; index++) {
          const key = this.decode(this.offset) as string;
          object[key] = this.decode(this.offset);
        }
        return object;
      }
      default:
        return this.decodeString(tag, offset);
    }
  }

  /**
   * A chunk's own copy (the ring's room is reused once its record is released), as a plain `Uint8Array` like a
   * structured clone's. A small one is cut from a shared slab, as `Buffer.allocUnsafe()` does: an `ArrayBuffer`
   * per chunk would cost the main thread's garbage collector more than the copy.
   */
  private copyOut(start: number, length: number): Uint8Array {
    if (length > maxSlabbedBytes) return this.plainBytes.slice(start, start + length);
    if (this.slabUsed + length > slabBytes) {
      this.slab = new ArrayBuffer(slabBytes);
      this.slabUsed = 0;
    }
    const copy = new Uint8Array(this.slab, this.slabUsed, length);
    this.bytes.copy(copy, 0, start, start + length);
    this.slabUsed = (this.slabUsed + length + 7) & ~7;
    return copy;
  }

  private decodeString(tag: number, offset: number): string {
    const { bytes, view } = this;
    if (tag === Tag.knownString) {
      this.offset = offset + 3;
      return this.numbered[view.getUint16(offset + 1, true)]!;
    }
    if (tag === Tag.newString) {
      const text = this.decodeString(bytes[offset + 3]!, offset + 3);
      this.numbered[view.getUint16(offset + 1, true)] = text;
      return text;
    }
    const length = view.getUint32(offset + 1, true);
    const start = offset + 5;
    this.offset = start + length;
    if (tag === Tag.utf8) return bytes.toString('utf8', start, start + length);
    if (tag === Tag.utf16) return bytes.toString('utf16le', start, start + length);
    throw new Error(`The answer ring holds an unknown tag ${tag} at ${offset}`);
  }
}

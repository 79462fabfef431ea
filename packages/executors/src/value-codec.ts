/**
 * The compact byte form of the values that cross a worker's rings: `undefined`, `null`, booleans, numbers,
 * strings, `Uint8Array`s (a `Buffer` arrives as a `Uint8Array`, as structured clone has it), arrays and plain
 * objects, nested. That covers what the pool itself sends and what a gateway sends (an environ, a response head,
 * body chunks); anything else — a `Map`, a `Date`, a class instance, a cycle — is refused, and the caller posts it
 * with structured clone instead.
 *
 * Written straight into the ring's shared memory (no intermediate buffer), and read back from it.
 */

const Tag = {
  undefined: 0,
  null: 1,
  false: 2,
  true: 3,
  int32: 4,
  float64: 5,
  string: 6,
  bytes: 7,
  array: 8,
  object: 9,
} as const;

/** Strings up to this long are tried as ASCII, byte by byte. */
const shortString = 64;

/** Nested arrays and objects deeper than this are refused: a cycle would recurse forever. */
const maxDepth = 32;

/** Writes and reads values in one shared byte area (a ring's data). */
export class ValueCodec {
  private readonly buffer: Buffer;
  private readonly view: DataView;
  private limit = 0;

  constructor(readonly bytes: Uint8Array) {
    this.buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /**
   * Encodes `value` at `offset`, writing no byte at or past `limit`. Returns where it ended, -1 when it does not
   * fit, or -2 when it cannot be encoded (the caller then uses structured clone).
   */
  encode(value: unknown, offset: number, limit: number): number {
    this.limit = limit;
    return this.write(value, offset, 0);
  }

  private write(value: unknown, offset: number, depth: number): number {
    const { bytes } = this;
    if (offset >= this.limit) return -1;
    switch (typeof value) {
      case 'undefined':
        bytes[offset] = Tag.undefined;
        return offset + 1;
      case 'boolean':
        bytes[offset] = value ? Tag.true : Tag.false;
        return offset + 1;
      case 'number':
        if ((value | 0) === value && !Object.is(value, -0)) {
          if (offset + 5 > this.limit) return -1;
          bytes[offset] = Tag.int32;
          this.view.setInt32(offset + 1, value, true);
          return offset + 5;
        }
        if (offset + 9 > this.limit) return -1;
        bytes[offset] = Tag.float64;
        this.view.setFloat64(offset + 1, value, true);
        return offset + 9;
      case 'string':
        bytes[offset] = Tag.string;
        return this.writeString(value, offset + 1);
      case 'object': {
        if (value === null) {
          bytes[offset] = Tag.null;
          return offset + 1;
        }
        if (depth >= maxDepth) return -2;
        if (value instanceof Uint8Array) {
          if (value.constructor !== Uint8Array && !Buffer.isBuffer(value)) return -2;
          const length = value.byteLength;
          if (offset + 5 + length > this.limit) return -1;
          bytes[offset] = Tag.bytes;
          this.view.setUint32(offset + 1, length, true);
          bytes.set(value, offset + 5);
          return offset + 5 + length;
        }
        if (Array.isArray(value)) {
          if (offset + 5 > this.limit) return -1;
          bytes[offset] = Tag.array;
          const count = value.length;
          this.view.setUint32(offset + 1, count, true);
          let at = offset + 5;
          for (let index = 0; index < count; index++) {
            // A hole would come back as undefined: structured clone keeps it, so leave such arrays to it.
            if (!(index in value)) return -2;
            at = this.write(value[index], at, depth + 1);
            if (at < 0) return at;
          }
          return at;
        }
        const prototype = Object.getPrototypeOf(value);
        if (prototype !== Object.prototype && prototype !== null) return -2;
        if (offset + 5 > this.limit) return -1;
        bytes[offset] = Tag.object;
        let count = 0;
        let at = offset + 5;
        for (const key in value) {
          if (!Object.hasOwn(value, key)) continue;
          at = this.writeString(key, at);
          if (at < 0) return at;
          at = this.write((value as Record<string, unknown>)[key], at, depth + 1);
          if (at < 0) return at;
          count++;
        }
        this.view.setUint32(offset + 1, count, true);
        return at;
      }
      default:
        return -2;
    }
  }

  /** A length (u32) and the UTF-8 bytes. */
  private writeString(text: string, offset: number): number {
    const room = this.limit - offset - 4;
    if (room < 0) return -1;
    const { length } = text;
    // Most strings of an environ or a head are short and ASCII: copied here, they skip a call into C++ each.
    if (length <= shortString && length <= room) {
      const { bytes } = this;
      const start = offset + 4;
      let index = 0;
      for (; index < length; index++) {
        const code = text.charCodeAt(index);
        if (code > 0x7f) break;
        bytes[start + index] = code;
      }
      if (index === length) {
        this.view.setUint32(offset, length, true);
        return start + length;
      }
    }
    // UTF-8 cannot carry a lone surrogate (it would arrive as U+FFFD); structured clone keeps it.
    if (!(text as unknown as { isWellFormed(): boolean }).isWellFormed()) return -2;
    // The exact length is counted only when the worst case may not fit.
    if (length * 3 > room && Buffer.byteLength(text) > room) return -1;
    const written = length === 0 ? 0 : this.buffer.write(text, offset + 4, room, 'utf8');
    this.view.setUint32(offset, written, true);
    return offset + 4 + written;
  }

  private at = 0;

  /** Decodes the value encoded at `offset`; the bytes of a `Uint8Array` are copied out of the shared memory. */
  decode(offset: number): unknown {
    this.at = offset;
    return this.read();
  }

  private read(): unknown {
    const { bytes, view } = this;
    const tag = bytes[this.at++];
    switch (tag) {
      case Tag.undefined:
        return undefined;
      case Tag.null:
        return null;
      case Tag.false:
        return false;
      case Tag.true:
        return true;
      case Tag.int32: {
        const value = view.getInt32(this.at, true);
        this.at += 4;
        return value;
      }
      case Tag.float64: {
        const value = view.getFloat64(this.at, true);
        this.at += 8;
        return value;
      }
      case Tag.string:
        return this.readString();
      case Tag.bytes: {
        const length = view.getUint32(this.at, true);
        const start = this.at + 4;
        this.at = start + length;
        return bytes.slice(start, start + length);
      }
      case Tag.array: {
        const count = view.getUint32(this.at, true);
        this.at += 4;
        const array = new Array<unknown>(count);
        for (let index = 0; index < count; index++) array[index] = this.read();
        return array;
      }
      case Tag.object: {
        const count = view.getUint32(this.at, true);
        this.at += 4;
        const object: Record<string, unknown> = {};
        for (let index = 0; index < count; index++) {
          const key = this.readString();
          const value = this.read();
          // Assigning `__proto__` would set the prototype; structured clone makes it an own property.
          if (key === '__proto__') {
            Object.defineProperty(object, key, {
              value,
              enumerable: true,
              writable: true,
              configurable: true,
            });
          } else object[key] = value;
        }
        return object;
      }
      default:
        throw new Error(`Corrupt record: unknown value tag ${tag} at ${this.at - 1}`);
    }
  }

  private readString(): string {
    const length = this.view.getUint32(this.at, true);
    const start = this.at + 4;
    this.at = start + length;
    return length === 0 ? '' : this.buffer.toString('utf8', start, start + length);
  }
}

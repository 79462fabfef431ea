/**
 * Tornado's `HTTPHeaders`, read-only: a case-insensitive multi-dict over the header lines as they arrived. Repeated
 * headers keep every value in order; iteration yields `[name, value]` pairs in arrival order with the names' case
 * as sent. The index is built on first lookup, so a request whose headers are never read costs nothing.
 */
export class HTTPHeaders implements Iterable<[string, string]> {
  readonly #raw: readonly string[];
  #index: Map<string, string[]> | undefined;

  /** @param rawHeaders Flat `[name, value, …]`, as node's `IncomingMessage.rawHeaders`. */
  constructor(rawHeaders: readonly string[]) {
    this.#raw = rawHeaders;
  }

  /** Builds headers from `[name, value]` pairs or a record (handy in tests and for hand-made requests). */
  static from(headers: Iterable<readonly [string, string]> | Record<string, string>): HTTPHeaders {
    const pairs = Symbol.iterator in headers ? headers : Object.entries(headers);
    const raw: string[] = [];
    for (const [name, value] of pairs as Iterable<readonly [string, string]>) raw.push(name, value);
    return new HTTPHeaders(raw);
  }

  #lookup(name: string): string[] | undefined {
    if (this.#index === undefined) {
      const index = new Map<string, string[]>();
      const raw = this.#raw;
      for (let position = 0; position < raw.length; position += 2) {
        const key = raw[position]!.toLowerCase();
        const values = index.get(key);
        if (values === undefined) index.set(key, [raw[position + 1]!]);
        else values.push(raw[position + 1]!);
      }
      this.#index = index;
    }
    return this.#index.get(name.toLowerCase());
  }

  /** All values of `name` joined with `,` (Tornado's `headers[name]`), or `undefined` when absent. */
  get(name: string): string | undefined {
    const values = this.#lookup(name);
    if (values === undefined) return undefined;
    return values.length === 1 ? values[0] : values.join(',');
  }

  /** Every value of `name`, in arrival order (Tornado's `get_list`); empty when absent. */
  getList(name: string): string[] {
    return this.#lookup(name)?.slice() ?? [];
  }

  has(name: string): boolean {
    return this.#lookup(name) !== undefined;
  }

  /** The number of header lines. */
  get size(): number {
    return this.#raw.length >> 1;
  }

  *[Symbol.iterator](): IterableIterator<[string, string]> {
    const raw = this.#raw;
    for (let position = 0; position < raw.length; position += 2) yield [raw[position]!, raw[position + 1]!];
  }

  /** The header lines as a flat `[name, value, …]` list, in arrival order. */
  toRaw(): readonly string[] {
    return this.#raw;
  }
}

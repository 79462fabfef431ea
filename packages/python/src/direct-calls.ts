/**
 * Direct calls for CPython's C functions on runtimes without WebAssembly GC (Node 20).
 *
 * CPython calls many C functions through a pointer typed with more parameters than the function declares (a
 * `METH_NOARGS` method takes one argument but is called with two). WebAssembly traps on such a call, so CPython
 * on Emscripten first asks a "count arguments" function how many parameters the target has and calls it with
 * that many. Its own count function is a tiny module using `ref.test` (WebAssembly GC, which Node 20's V8 does
 * not have); without it every such call — most of what Flask does — goes through JavaScript instead: a
 * wasm → JS → wasm round trip per C call (`_PyEM_TrampolineCall_JS`).
 *
 * Here the count is answered from a table computed once: a JavaScript function object for a WebAssembly
 * function reports its parameter count as `length`, so each slot of the interpreter's function table gets one
 * byte, in the memory of a small module whose exported function reads it. Slots added later (`addFunction`,
 * libraries loaded after start-up) and slots freed since (they may be refilled) are asked of JavaScript. Every
 * such call's result is a pointer or an int, an `i32` in wasm32, so the count is all CPython needs.
 *
 * It measured ~7 % off a Flask request's time in the interpreter (and ~15 % off a loop of builtin calls).
 */

/** The few WebAssembly API members used (the project's `lib` has no DOM types, where they live). */
interface FunctionTable {
  readonly length: number;
  get(slot: number): unknown;
}
interface WebAssemblyAPI {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const { Module, Instance } = (globalThis as unknown as { WebAssembly: WebAssemblyAPI }).WebAssembly;

/** The members of Pyodide's Emscripten module this reads; all are exports of `pyodide.asm.js`. */
export interface EmscriptenModule {
  wasmTable?: FunctionTable;
  HEAP32?: Int32Array;
  addFunction?: (callable: unknown, signature: string) => number;
  /** The table slots freed for reuse: every free goes through its `push` (`removeFunction`, ffi closures). */
  freeTableIndexes?: number[];
  __PyRuntime?: number;
  __PyEM_EMSCRIPTEN_COUNT_ARGS_OFFSET?: number;
}

/** A slot whose count JavaScript answers: empty at start-up, or freed since (it may hold another function). */
const askLater = 0xff;

/**
 * Installs the table-backed count function when the interpreter has none; returns whether it did. A Pyodide
 * whose runtime has WebAssembly GC already has a count function, and one built differently lacks the exports.
 */
export function installDirectCalls(module: EmscriptenModule): boolean {
  const { wasmTable: table, HEAP32: heap, addFunction, freeTableIndexes: freed } = module;
  const runtime = module.__PyRuntime;
  const offsetAddress = module.__PyEM_EMSCRIPTEN_COUNT_ARGS_OFFSET;
  if (table === undefined || heap === undefined || addFunction === undefined || freed === undefined)
    return false;
  if (runtime === undefined || offsetAddress === undefined) return false;
  const field = (runtime + heap[offsetAddress >>> 2]!) >>> 2;
  if (heap[field] !== 0) return false;

  const size = table.length;
  const instance = new Instance(new Module(countModule(size)), {
    tsgi: { later: (slot: number) => parameterCount(table.get(slot)) },
  });
  const memory = instance.exports.counts as { buffer: ArrayBuffer };
  const counts = new Uint8Array(memory.buffer, 0, size);
  for (let slot = 0; slot < size; slot++) counts[slot] = parameterCount(table.get(slot));
  // A freed slot may be refilled with a function of another arity: from then on JavaScript answers for it.
  const push = freed.push;
  Object.defineProperty(freed, 'push', {
    value(this: number[], ...slots: number[]): number {
      for (const slot of slots) if (slot < size) counts[slot] = askLater;
      return push.apply(this, slots);
    },
  });
  heap[field] = addFunction(instance.exports.count, 'ii');
  return true;
}

/**
 * A function's parameter count (a WebAssembly function's `length`); 255 for an empty slot, which CPython's
 * switch turns into a SystemError instead of a trap.
 */
function parameterCount(target: unknown): number {
  return typeof target === 'function' ? Math.min(target.length, askLater - 1) : askLater;
}

/**
 * The module: `count(slot)` is the byte at `slot` of its exported memory `counts` for the slots known at start-up,
 * unless that byte says to ask the imported `later(slot)`, as every slot added since is asked.
 */
function countModule(size: number): Uint8Array {
  const body = [
    0x01,
    0x01,
    0x7f, // one i32 local: the stored count
    ...[0x20, 0x00, 0x41, ...signedLEB(size), 0x49], // slot < size
    ...[0x04, 0x40], // if
    ...[0x20, 0x00, 0x2d, 0x00, 0x00, 0x22, 0x01], // count = i32.load8_u(slot)
    ...[0x41, ...signedLEB(askLater), 0x47, 0x04, 0x40, 0x20, 0x01, 0x0f, 0x0b], // if count != askLater: return it
    0x0b,
    ...[0x20, 0x00, 0x10, 0x00], // later(slot)
    0x0b,
  ];
  const pages = Math.max(1, Math.ceil(size / 65536));
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector([[0x60, 0x01, 0x7f, 0x01, 0x7f]])), // type 0: (i32) -> i32
    ...section(2, vector([[...name('tsgi'), ...name('later'), 0x00, 0x00]])),
    ...section(3, vector([[0x00]])), // function 1 (after the import) has type 0
    ...section(5, vector([[0x00, ...unsignedLEB(pages)]])),
    ...section(
      7,
      vector([
        [...name('count'), 0x00, 0x01],
        [...name('counts'), 0x02, 0x00],
      ]),
    ),
    ...section(10, vector([[...unsignedLEB(body.length), ...body]])),
  ]);
}
function section(id: number, content: number[]): number[] {
  return [id, ...unsignedLEB(content.length), ...content];
}

function vector(items: number[][]): number[] {
  return [...unsignedLEB(items.length), ...items.flat()];
}

function name(text: string): number[] {
  const bytes = [...Buffer.from(text, 'utf8')];
  return [...unsignedLEB(bytes.length), ...bytes];
}

function unsignedLEB(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

function signedLEB(value: number): number[] {
  const bytes: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

/**
 * Input buffered before the work starts, so that the handler never waits for its source: up to a memory limit in
 * one `Uint8Array`, beyond it in a temporary file (Python's `SpooledTemporaryFile`, nginx's
 * `client_body_buffer_size` + `client_body_temp_path`, waitress's `inbuf_overflow`).
 *
 * The file is created with `O_EXCL` and mode 0600 under a random name, then unlinked at once: it has no name
 * while it is used, and the operating system reclaims it when its descriptor closes, even if the process dies.
 * Worker threads share the process's descriptors, so a handler on any thread reads it with positional
 * `readSync` calls and never waits on the event loop.
 */

import { randomBytes } from 'node:crypto';
import { close, open, readSync, unlink, write } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorCodes, errorNames, joinChunks } from '@tsgi/protocol';

/**
 * Input in an open file: `port.read()` reads `length` bytes of it from offset 0. The executor that was given it
 * calls `release()` exactly once, when no thread will read the file again (the unit finished, or its thread
 * exited), whatever the outcome of `run()`.
 */
export interface InputFile {
  /** A descriptor of this process, open for reading (threads share descriptors). */
  readonly fd: number;
  /** Bytes of input in the file. */
  readonly length: number;
  /** Closes the file (and removes it, if it still has a name). Idempotent. */
  release(): void;
}

/** Where `spoolInput()` keeps what it buffers. */
export interface SpoolOptions {
  /**
   * Bytes kept in memory; a longer input (or one announced longer) goes to a temporary file. Default `65536`: a
   * socket read's worth, so forms and JSON bodies stay in memory and an upload costs one chunk of memory.
   */
  readonly memoryLimit?: number;
  /** The directory temporary files are created in. Default `os.tmpdir()`. */
  readonly directory?: string;
}

/** The default `memoryLimit`: 64 KiB. */
export const defaultSpoolMemoryLimit = 64 * 1024;

/** Creating, writing or reading the temporary file failed (a full disk, a directory that is not writable). */
export class InputSpoolError extends Error {
  override readonly name = errorNames.inputSpool;
  readonly code = errorCodes.inputSpool;
}

/** Whether an input is an `InputFile` (rather than bytes or an async source). */
export function isInputFile(input: unknown): input is InputFile {
  return typeof (input as InputFile | undefined)?.fd === 'number';
}

/**
 * Reads `source` to its end: into memory while it fits `memoryLimit`, else into a temporary file. A source that
 * throws rejects with its own error (the file, if any, is released). `expectedLength` (a `Content-Length`, say)
 * sends a long input straight to a file.
 */
export async function spoolInput(
  source: AsyncIterable<Uint8Array>,
  options: SpoolOptions = {},
  expectedLength?: number,
): Promise<Uint8Array | InputFile> {
  const memoryLimit = options.memoryLimit ?? defaultSpoolMemoryLimit;
  const directory = options.directory ?? tmpdir();
  const parts: Uint8Array[] = [];
  let length = 0;
  let file: SpoolFile | undefined;
  try {
    if (expectedLength !== undefined && expectedLength > memoryLimit)
      file = await SpoolFile.create(directory);
    for await (const chunk of source) {
      if (chunk.length === 0) continue;
      if (file === undefined && length + chunk.length > memoryLimit) {
        file = await SpoolFile.create(directory);
        for (const part of parts) await file.append(part);
        parts.length = 0;
      }
      if (file === undefined) parts.push(chunk);
      else await file.append(chunk);
      length += chunk.length;
    }
  } catch (error) {
    file?.release();
    throw error;
  }
  if (file !== undefined) return file.finished(length);
  return joinChunks(parts, length, Buffer.allocUnsafe);
}

function callback<T>(run: (done: (error: Error | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value))));
}

class SpoolFile implements InputFile {
  length = 0;
  #released = false;

  private constructor(
    readonly fd: number,
    /** The file's name while it still has one (only if unlinking at once failed). */
    private path: string | undefined,
  ) {}

  static async create(directory: string): Promise<SpoolFile> {
    const path = join(directory, `tsgi-input-${randomBytes(12).toString('hex')}`);
    let fd: number;
    try {
      fd = await callback<number>((done) => open(path, 'wx+', 0o600, done));
    } catch (error) {
      throw new InputSpoolError(
        `Could not create a temporary file for the input in ${directory}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    // Unlinking an open file can fail on some systems: then the name is removed on release instead.
    const unlinked = await callback<void>((done) => unlink(path, (error) => done(error, undefined))).then(
      () => true,
      () => false,
    );
    return new SpoolFile(fd, unlinked ? undefined : path);
  }

  async append(chunk: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      let written: number;
      try {
        written = await callback<number>((done) =>
          write(this.fd, chunk, offset, chunk.length - offset, this.length, done),
        );
      } catch (error) {
        throw new InputSpoolError(
          `Could not write the input to its temporary file: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
      offset += written;
      this.length += written;
    }
  }

  finished(length: number): InputFile {
    this.length = length;
    return this;
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    close(this.fd, ignore);
    if (this.path !== undefined) unlink(this.path, ignore);
    this.path = undefined;
  }
}

function ignore(): void {}

/**
 * Reads an `InputFile` synchronously, on any thread: each call returns a fresh array (the caller owns it) of up
 * to `maxBytes` bytes, `null` at the end.
 */
export class InputFileReader {
  #position = 0;

  constructor(
    private readonly fd: number,
    private readonly length: number,
  ) {}

  read(maxBytes: number): Uint8Array | null {
    const remaining = this.length - this.#position;
    if (remaining <= 0) return null;
    if (!(maxBytes >= 1)) return new Uint8Array(0);
    const size = Math.min(remaining, Math.floor(maxBytes));
    const chunk = Buffer.allocUnsafeSlow(size);
    let filled = 0;
    while (filled < size) {
      const read = readSync(this.fd, chunk, filled, size - filled, this.#position + filled);
      if (read === 0) {
        throw new InputSpoolError(
          `The input's temporary file ended ${this.length - this.#position - filled} bytes early`,
        );
      }
      filled += read;
    }
    this.#position += size;
    return chunk;
  }
}

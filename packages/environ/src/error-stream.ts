import type { ErrorStream } from './types.js';

/** Receives one line of `wsgi.errors` output, without its trailing `\n`. */
export type ErrorSink = (line: string) => void;

/**
 * `wsgi.errors`: a text stream that hands complete lines to a sink (the container's logger), so one log line
 * is one sink call however the application splits its writes. `flush()` hands over a pending partial line.
 */
export class WSGIErrorStream implements ErrorStream {
  readonly #sink: ErrorSink;
  #pending = '';

  constructor(sink: ErrorSink) {
    this.#sink = sink;
  }

  write(text: string): void {
    if (typeof text !== 'string') {
      throw new TypeError(`wsgi.errors.write() takes a string, got ${text === null ? 'null' : typeof text}`);
    }
    let newline = text.indexOf('\n');
    if (newline < 0) {
      this.#pending += text;
      return;
    }
    const first = this.#pending + text.slice(0, newline);
    this.#pending = '';
    this.#sink(first);
    let start = newline + 1;
    newline = text.indexOf('\n', start);
    while (newline >= 0) {
      this.#sink(text.slice(start, newline));
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    this.#pending = text.slice(start);
  }

  writelines(lines: Iterable<string>): void {
    for (const line of lines) this.write(line);
  }

  flush(): void {
    if (this.#pending === '') return;
    const line = this.#pending;
    this.#pending = '';
    this.#sink(line);
  }
}

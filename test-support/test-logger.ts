/**
 * The one logger the tests use: it keeps every line with its level, so a test can assert on what was logged, show
 * it when it fails, and wait for a line instead of sleeping until it was probably written.
 */

export type LogLevel = 'info' | 'warn' | 'error';

export interface LoggedLine {
  readonly level: LogLevel;
  readonly text: string;
}

export interface TestLogger {
  info(text: string): void;
  warn(text: string): void;
  error(text: string): void;
  /** Every line logged so far, in order. */
  readonly lines: LoggedLine[];
  /** Every line as `level: text`, one per line (for `toMatch` and failure messages). */
  text(): string;
  /** The text of the lines logged at `error`, one per line. */
  errors(): string;
  /** Resolves with the first line (already logged or still to come) that matches. */
  nextLine(matches: RegExp | ((line: LoggedLine) => boolean)): Promise<LoggedLine>;
}

export function testLogger(): TestLogger {
  const lines: LoggedLine[] = [];
  const waiting = new Set<{ test: (line: LoggedLine) => boolean; resolve: (line: LoggedLine) => void }>();
  const log = (level: LogLevel, text: string) => {
    const line = { level, text };
    lines.push(line);
    for (const waiter of waiting) {
      if (waiter.test(line)) {
        waiting.delete(waiter);
        waiter.resolve(line);
      }
    }
  };
  return {
    lines,
    info: (text) => log('info', text),
    warn: (text) => log('warn', text),
    error: (text) => log('error', text),
    text: () => lines.map((line) => `${line.level}: ${line.text}`).join('\n'),
    errors: () =>
      lines
        .filter((line) => line.level === 'error')
        .map((line) => line.text)
        .join('\n'),
    nextLine(matches) {
      const test = typeof matches === 'function' ? matches : (line: LoggedLine) => matches.test(line.text);
      const found = lines.find(test);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => waiting.add({ test, resolve }));
    },
  };
}

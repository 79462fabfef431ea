/**
 * The logger the server writes to. `console` satisfies it, and so does a pino logger: every call passes one
 * preformatted string.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Formats a thrown value for a log line: its stack when it has one. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Where tsgi logs: `console` satisfies it, and so do pino and most loggers. Every call passes one preformatted
 * string (the access log may pass structured fields first, pino's way, when asked to).
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

import { describeError, describeValue } from './describe-error.js';

/** An error as it crosses a thread (structured clone keeps only built-in error classes): name, message, stack. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string;
}

/** Any thrown value as a `SerializedError`; a value that is not an `Error` is described, not dumped. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error)
    return { name: error.name, message: error.message, stack: describeError(error) };
  const text = `Non-error thrown: ${describeValue(error)}`;
  return { name: 'Error', message: text, stack: text };
}

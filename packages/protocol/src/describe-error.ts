/** How tsgi turns a thrown value into text for a log line or an error page. */

/** A thrown value for a log line: its stack when it has one, else `Name: message`, else the value itself. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

/** A value in an error message, without dumping it: `"text"`, `function name`, `Map object`, `42`. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (value === null || typeof value !== 'object') return String(value);
  return `${value.constructor?.name ?? 'Object'} object`;
}

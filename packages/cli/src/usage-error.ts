/** The server was asked for something it refuses (a bad option value): a usage error, exit status 2. */
export class ServeUsageError extends Error {
  override readonly name = 'ServeUsageError';
}

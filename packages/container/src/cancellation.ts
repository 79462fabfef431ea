/**
 * Whether an error means the work was cancelled (the client went away) rather than failed. Checked by name, as
 * the error may have been re-created on another thread.
 */
export function isWorkCancelled(error: unknown): boolean {
  return error instanceof Error && error.name === 'WorkCancelledError';
}

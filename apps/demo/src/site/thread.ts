/** Which thread a page was rendered on: the point of the thread pool, made visible. */
import { isMainThread, threadId } from 'node:worker_threads';

export function describeThread(): string {
  return isMainThread ? 'the event-loop thread (main)' : `worker thread #${threadId}`;
}

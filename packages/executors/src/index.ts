export {
  ExecutorClosedError,
  QueueFullError,
  WorkCancelledError,
  WorkerCrashedError,
  WorkTimeoutError,
} from './errors.js';
export type { Executor, ExecutorKind, ModuleReference, Work, WorkHandler, WorkPort } from './executor.js';
export { InlineExecutor } from './inline-executor.js';
export {
  importModuleExport,
  ModuleLoadError,
  moduleReferenceKey,
  type ResolvedModuleReference,
  resolveModuleReference,
} from './module-reference.js';
export { assertExecutorSupported, ProcessExecutorRejectedError } from './process-policy.js';
export { ThreadPoolExecutor, type ThreadPoolExecutorOptions } from './thread-pool-executor.js';

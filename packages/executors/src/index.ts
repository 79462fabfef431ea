export {
  ExecutorClosedError,
  QueueFullError,
  WorkCancelledError,
  WorkerCrashedError,
  WorkTimeoutError,
} from './errors.js';
export type {
  Executor,
  ExecutorCloseOptions,
  ExecutorKind,
  ModuleReference,
  Work,
  WorkHandler,
  WorkPort,
} from './executor.js';
export { InlineExecutor, type InlineExecutorOptions } from './inline-executor.js';
export {
  importModuleExport,
  ModuleLoadError,
  moduleReferenceKey,
  type ResolvedModuleReference,
  resolveModuleReference,
} from './module-reference.js';
export { assertExecutorSupported, ProcessExecutorRejectedError } from './process-policy.js';
export {
  defaultSpoolMemoryLimit,
  type InputFile,
  InputFileReader,
  InputSpoolError,
  isInputFile,
  type SpoolOptions,
  spoolInput,
} from './spooled-input.js';
export {
  defaultAnswerRingBytes,
  defaultSharedInputBytes,
  defaultWorkerHeapLimitMb,
  defaultWorkerNice,
  sharedInputSlotBytes,
  ThreadPoolExecutor,
  type ThreadPoolExecutorOptions,
} from './thread-pool-executor.js';

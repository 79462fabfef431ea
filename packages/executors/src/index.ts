export type { Executor, ExecutorKind, ModuleReference, Work, WorkHandler, WorkPort } from './executor.js';
export {
  importModuleExport,
  ModuleLoadError,
  moduleReferenceKey,
  type ResolvedModuleReference,
  resolveModuleReference,
} from './module-reference.js';

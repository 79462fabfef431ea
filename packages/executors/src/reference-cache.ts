import type { ModuleReference } from './executor.js';
import { type ResolvedModuleReference, resolveModuleReference } from './module-reference.js';

/**
 * Resolves module references once: resolution may search `node_modules`, and the same reference comes with
 * every request. Keyed by the reference's own text, so equal references resolve once even after a structured
 * clone made them distinct objects.
 */
export class ReferenceCache {
  private readonly resolved = new Map<string, ResolvedModuleReference>();

  resolve(reference: ModuleReference): ResolvedModuleReference {
    const key =
      typeof reference === 'string'
        ? reference
        : reference instanceof URL
          ? reference.href
          : `${String(reference?.module)}#${reference?.export ?? 'default'}`;
    let resolved = this.resolved.get(key);
    if (resolved === undefined) {
      resolved = resolveModuleReference(reference);
      this.resolved.set(key, resolved);
    }
    return resolved;
  }
}

/**
 * Module references: how an application (or any handler) is named so that every thread can import it.
 * They are resolved once, in the main thread, to an absolute URL; each thread then imports that URL.
 */
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ModuleReference } from './executor.js';

/** A module reference resolved to an absolute URL and an export name: safe to send to another thread. */
export interface ResolvedModuleReference {
  readonly url: string;
  readonly exportName: string;
}

/** A module that does not load, or that lacks the named function export. */
export class ModuleLoadError extends Error {
  override readonly name = 'ModuleLoadError';
  constructor(
    message: string,
    readonly reference: ResolvedModuleReference | string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function splitReference(reference: ModuleReference): { specifier: string | URL; exportName: string } {
  if (reference instanceof URL) return { specifier: reference, exportName: 'default' };
  if (typeof reference === 'string') {
    const hash = reference.lastIndexOf('#');
    // A `#` that starts the string is a package-imports specifier (`#app`), not an export name.
    if (hash <= 0) return { specifier: reference, exportName: 'default' };
    return { specifier: reference.slice(0, hash), exportName: reference.slice(hash + 1) || 'default' };
  }
  if (reference && (typeof reference.module === 'string' || reference.module instanceof URL)) {
    return { specifier: reference.module, exportName: reference.export ?? 'default' };
  }
  throw new TypeError(
    'A module reference is "path/to/module.js#exportName", a URL, or { module, export }; got ' +
      describe(reference),
  );
}

function describe(value: unknown): string {
  if (typeof value === 'function') return `a function (${value.name || 'anonymous'})`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function isPath(specifier: string): boolean {
  return (
    isAbsolute(specifier) ||
    specifier.startsWith('./') ||
    specifier.startsWith('../') ||
    specifier === '.' ||
    specifier === '..'
  );
}

/**
 * Resolves a module reference to an absolute URL, relative to `baseDirectory` (default: the current working
 * directory) for paths and package specifiers alike.
 */
export function resolveModuleReference(
  reference: ModuleReference,
  baseDirectory: string = process.cwd(),
): ResolvedModuleReference {
  const { specifier, exportName } = splitReference(reference);
  if (specifier instanceof URL) return { url: specifier.href, exportName };
  if (/^(file|data|node):/.test(specifier)) return { url: specifier, exportName };
  if (isPath(specifier)) return { url: pathToFileURL(resolve(baseDirectory, specifier)).href, exportName };
  // A package specifier: resolve it as the user's own code would, from the base directory.
  try {
    const resolved = createRequire(resolve(baseDirectory, 'noop.js')).resolve(specifier);
    return { url: pathToFileURL(resolved).href, exportName };
  } catch (requireError) {
    // An ESM-only package (exports with only an "import" condition) is not visible to require.resolve.
    try {
      return { url: import.meta.resolve(specifier), exportName };
    } catch {
      throw new ModuleLoadError(`Cannot find module "${specifier}" from ${baseDirectory}`, specifier, {
        cause: requireError,
      });
    }
  }
}

/** Imports a resolved reference and returns its export, which must be a function. */
export async function importModuleExport(reference: ResolvedModuleReference): Promise<unknown> {
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(reference.url)) as Record<string, unknown>;
  } catch (error) {
    throw new ModuleLoadError(`Module ${reference.url} did not load: ${String(error)}`, reference, {
      cause: error,
    });
  }
  const value = namespace[reference.exportName];
  if (typeof value !== 'function') {
    const names = Object.keys(namespace).join(', ') || 'none';
    throw new ModuleLoadError(
      value === undefined
        ? `Module ${reference.url} has no export named "${reference.exportName}" (its exports: ${names})`
        : `Export "${reference.exportName}" of ${reference.url} is a ${typeof value}, not a function`,
      reference,
    );
  }
  return value;
}

/** The key a loaded export is cached under, per thread. */
export function moduleReferenceKey(reference: ResolvedModuleReference): string {
  return `${reference.url}#${reference.exportName}`;
}

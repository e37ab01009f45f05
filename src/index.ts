// Library surface for programmatic use (tests, the HTTP API, other Node programs).
export { SandboxManager, type CreateOptions, type DestroyOptions } from './manager/manager.ts';
export { createManager } from './manager/factory.ts';
export { loadCatalog, catalogRoots } from './catalog/loader.ts';
export * from './catalog/schema.ts';
export * from './core/record.ts';
export { SandboxerError, BackendError, CancelledError } from './core/errors.ts';
export type * from './extensions/contract.ts';
export { ExtensionRegistry, defaultRegistry } from './extensions/registry.ts';
export type { StateStore } from './state/store.ts';
export { FileStateStore } from './state/file/file-store.ts';
export { MemoryStateStore } from './state/memory/memory-store.ts';

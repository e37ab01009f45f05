// The library (`import ... from 'sand-boxer'`): what a Node program needs to create, use and tear down sandboxes
// the way the CLI, the actions and the HTTP API do. Built to lib/ by `npm run build:lib` (tsconfig.lib.json).
// Curated: internals (routing strategies, hooks, exporters, helpers) stay reachable only through these.

// Lifecycle and use of sandboxes.
export { createManager, type ManagerOptions } from './manager/factory.ts';
export { SandboxManager, type CreateOptions, type DestroyOptions } from './manager/manager.ts';
export { SandboxAccess } from './manager/access.ts';
export { Sandbox, createSandbox } from './manager/sandbox.ts';
export type { ExtendResult } from './manager/ttl.ts';

// Catalog: profiles and extension manifests.
export { loadCatalog, catalogRoots, type Catalog, type CatalogEntry } from './catalog/loader.ts';
export {
  Profile,
  ExtensionManifest,
  type Placement,
  type Resources,
  type PortSpec,
  type WaitStrategy,
  type RouteSpec,
  type RouteStrategy,
  type Pricing,
  type Capabilities,
  type CredentialSpec,
  type SecretRef,
} from './catalog/schema.ts';

// Records kept in state.
export {
  SandboxRecord,
  SnapshotRecord,
  type SandboxState,
  type Handle,
  type Meter,
  type Owner,
  type ActorType,
  type RouteDecision,
  type RouteCandidate,
  type Transition,
} from './core/record.ts';

// State stores.
export type { StateStore } from './state/store.ts';
export { FileStateStore } from './state/file/file-store.ts';
export { MemoryStateStore } from './state/memory/memory-store.ts';
export { SqliteStateStore } from './state/sqlite/sqlite-store.ts';
export { PostgresStateStore } from './state/postgres/postgres-store.ts';
export { openStateStore, type StateBackend } from './state/open.ts';

// Errors.
export {
  SandboxerError,
  BackendError,
  CancelledError,
  isCancellation,
  type ErrorCode,
} from './core/errors.ts';

// Logging, credentials and the extension contract (for writing a backend).
export { silentLogger, type Logger } from './core/logger.ts';
export { createCredentialResolver } from './credentials/index.ts';
export type { CredentialResolver, SecretScheme } from './credentials/resolver.ts';
export type * from './extensions/contract.ts';
export { ExtensionRegistry, defaultRegistry } from './extensions/registry.ts';

// Serving and housekeeping.
export { startApiServer, type ApiServer, type ApiServerOptions } from './api/server.ts';
export { buildOpenApi } from './api/openapi.ts';
export { findStale, type StaleReport, type StaleItem, type FindStaleOptions } from './reaper/stale.ts';
export { reapStale, type ReapReport, type ReapAction, type ReapOptions } from './reaper/reap.ts';

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
export { startApiServer, type ApiServer, type ApiServerOptions } from './api/server.ts';
export { buildOpenApi } from './api/openapi.ts';
export { findStale, type StaleReport, type StaleItem, type FindStaleOptions } from './telemetry/stale.ts';
export { reapStale, type ReapReport, type ReapAction, type ReapOptions } from './telemetry/reap.ts';
export { Ledger, type Balance, type LedgerEntry } from './payments/ledger.ts';
export { CreditsHooks } from './payments/credits-hooks.ts';
export { replayOutbox, flushOutbox, type ReplayResult } from './export/outbox.ts';
export { StateHubHooks } from './events/state-hub.ts';
export { StrategyRouter, type StrategyRouterDeps } from './routing/router.ts';
export {
  RouteExplanation,
  ExplainedCandidate,
  type Router,
  type RoutePlan,
  type RouteRequest,
} from './routing/types.ts';
export { LatencyRecorder, LatencyHistory } from './routing/latency.ts';
export { CredentialResolver, type SecretScheme } from './credentials/resolver.ts';
export { createCredentialResolver } from './credentials/index.ts';
export { vaultScheme } from './credentials/vault.ts';

import { hostname } from 'node:os';
import { loadCatalog, catalogRoots, type Catalog } from '../catalog/loader.ts';
import { CatalogError, formatIssue } from '../catalog/yaml-errors.ts';
import { checkCatalogConfig } from '../extensions/config-check.ts';
import { ownerFromEnv } from '../core/labels.ts';
import type { Logger } from '../core/logger.ts';
import { silentLogger } from '../core/logger.ts';
import { createCredentialResolver } from '../credentials/index.ts';
import type { CredentialResolver } from '../credentials/resolver.ts';
import type { LifecycleHooks } from '../events/hooks.ts';
import { defaultRegistry } from '../extensions/registry.ts';
import { defaultHooks } from '../payments/default-hooks.ts';
import { LatencyRecorder } from '../routing/latency.ts';
import { openStateStore } from '../state/open.ts';
import type { StateStore } from '../state/store.ts';
import { SandboxManager } from './manager.ts';

export interface ManagerOptions {
  env?: NodeJS.ProcessEnv;
  log?: Logger;
  store?: StateStore;
  catalog?: Catalog;
  credentials?: CredentialResolver;
  hooks?: LifecycleHooks[];
  /** Load the catalog leniently (list, destroy, reaping): broken files become warnings, not a failure. */
  lenientCatalog?: boolean;
}

/** The production wiring of a manager from the environment; CLI, actions and HTTP API all start here. */
export function createManager(opts: ManagerOptions = {}): SandboxManager {
  const env = opts.env ?? process.env;
  const log = opts.log ?? silentLogger;
  const catalog =
    opts.catalog ?? loadCatalog(catalogRoots(env), env, { lenient: opts.lenientCatalog ?? false });
  for (const issue of catalog.warnings ?? []) {
    log.warn(`catalog: ${formatIssue(issue)} (skipped; fix it before create or validate)`);
  }
  const registry = defaultRegistry();
  const configIssues = checkCatalogConfig(catalog, registry);
  if (configIssues.length && !(opts.lenientCatalog ?? false)) throw new CatalogError(configIssues);
  for (const issue of configIssues) log.warn(`catalog: ${formatIssue(issue)}`);
  const credentials = opts.credentials ?? createCredentialResolver(env);
  const store = opts.store ?? openStateStore(env, log);
  return new SandboxManager({
    catalog,
    registry,
    store,
    owner: ownerFromEnv(env, hostname(), store.scopeId, store.shared),
    credentials,
    // Credits, fin-hub export and State Hub always run; callers' hooks come after them.
    hooks: [...defaultHooks({ store, env, log }), new LatencyRecorder(store), ...(opts.hooks ?? [])],
    log,
    env,
  });
}

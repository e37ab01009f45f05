import { hostname } from 'node:os';
import { loadCatalog, catalogRoots, type Catalog } from '../catalog/loader.ts';
import { ownerFromEnv } from '../core/labels.ts';
import type { Logger } from '../core/logger.ts';
import { silentLogger } from '../core/logger.ts';
import { CredentialResolver } from '../credentials/resolver.ts';
import type { LifecycleHooks } from '../events/hooks.ts';
import { defaultRegistry } from '../extensions/registry.ts';
import { FileStateStore } from '../state/file/file-store.ts';
import { stateDir } from '../state/paths.ts';
import type { StateStore } from '../state/store.ts';
import { SandboxManager } from './manager.ts';

export interface ManagerOptions {
  env?: NodeJS.ProcessEnv;
  log?: Logger;
  store?: StateStore;
  catalog?: Catalog;
  credentials?: CredentialResolver;
  hooks?: LifecycleHooks[];
}

/** The production wiring of a manager from the environment; CLI, actions and HTTP API all start here. */
export function createManager(opts: ManagerOptions = {}): SandboxManager {
  const env = opts.env ?? process.env;
  const catalog = opts.catalog ?? loadCatalog(catalogRoots(env));
  const credentials = opts.credentials ?? new CredentialResolver();
  return new SandboxManager({
    catalog,
    registry: defaultRegistry(),
    store: opts.store ?? new FileStateStore(stateDir(env)),
    owner: ownerFromEnv(env, hostname()),
    credentials,
    hooks: opts.hooks ?? [],
    log: opts.log ?? silentLogger,
    env,
  });
}

import type { SandboxRecord } from '../core/record.ts';
import { lazyDefaultRegistry } from '../extensions/lazy-registry.ts';
import { ExtensionGateway } from './gateway.ts';
import { getRecord } from './lifecycle.ts';
import { DEFAULT_TEARDOWN_TIMEOUT_S } from './options.ts';
import { baseWiring, type ManagerOptions } from './wiring.ts';

/**
 * What sandbox access (access.ts) reads: a sandbox's record and the gateway to its extension. A SandboxManager
 * is one (the API, the action, the library); the CLI's exec, cp, logs, ports and url open the lighter one below.
 */
export interface AccessSource {
  get(id: string): Promise<SandboxRecord>;
  readonly gateway: Pick<ExtensionGateway, 'extensionFor' | 'profileOrUndefined' | 'contextFor'>;
}

/**
 * The access source createManager's wiring would give (same catalog and config check, store, credential
 * resolver, gateway) without what only lifecycle changes need (router, hooks, ledger, every adapter): the
 * record's adapter alone is imported, when the record is read.
 */
export function openAccessSource(opts: ManagerOptions = {}): AccessSource {
  const registry = lazyDefaultRegistry();
  const { env, log, catalog, credentials, store } = baseWiring(opts, registry);
  const gateway = new ExtensionGateway({
    catalog,
    registry,
    credentials,
    log,
    env,
    teardownTimeout_s: DEFAULT_TEARDOWN_TIMEOUT_S,
  });
  return {
    gateway,
    async get(id) {
      const record = await getRecord(store, id);
      await registry.load(record.extension_id);
      return record;
    },
  };
}

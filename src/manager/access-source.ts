import type { SandboxRecord } from '../core/record.ts';
import { silentLogger } from '../core/logger.ts';
import { createCredentialResolver } from '../credentials/index.ts';
import { lazyDefaultRegistry } from '../extensions/lazy-registry.ts';
import { openStateStore } from '../state/open.ts';
import { ExtensionGateway } from './gateway.ts';
import { getRecord } from './lifecycle.ts';
import { DEFAULT_TEARDOWN_TIMEOUT_S } from './options.ts';
import { checkedCatalog, type ManagerOptions } from './wiring.ts';

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
  const env = opts.env ?? process.env;
  const log = opts.log ?? silentLogger;
  const registry = lazyDefaultRegistry();
  const catalog = checkedCatalog({ ...opts, log }, registry);
  const store = opts.store ?? openStateStore(env, log);
  const gateway = new ExtensionGateway({
    catalog,
    registry,
    credentials: opts.credentials ?? createCredentialResolver(env),
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

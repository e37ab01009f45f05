import { loadCatalog } from '../../src/catalog/loader.ts';
import type { LifecycleHooks } from '../../src/events/hooks.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';
import type { RetryPolicy } from '../../src/export/deliver.ts';
import { SandboxManager } from '../../src/manager/manager.ts';
import { openStateStore } from '../../src/state/open.ts';

export const catalog = loadCatalog();
export const registry = defaultRegistry();

/** Short bounds so fault tests finish quickly; still real HTTP, real retries. */
export const FAST_POLICY: RetryPolicy = {
  timeout_ms: 3_000,
  base_ms: 20,
  cap_ms: 2_000,
  tries: 4,
  deadline_ms: 20_000,
};

/** A manager over the saas-stub on the default store of `dir` (the one the CLI opens there), with the given hooks (several may share one dir). */
export function stubManager(dir: string, hooks: LifecycleHooks[], env: NodeJS.ProcessEnv = {}) {
  const store = openStateStore({ SANDBOXER_STATE_DIR: dir });
  const manager = new SandboxManager({
    catalog,
    registry,
    store,
    owner: { scope: 'test:payments', repository: 'acme/app', run_id: '42', actor_type: 'atm' },
    hooks,
    env: { SANDBOXER_STATE_DIR: dir, ...env },
  });
  return { manager, store };
}

import { hostname } from 'node:os';
import { ownerFromEnv } from '../core/labels.ts';
import { defaultRegistry } from '../extensions/registry.ts';
import { defaultHooks } from '../payments/default-hooks.ts';
import { LatencyRecorder } from '../routing/latency.ts';
import { SandboxManager } from './manager.ts';
import { baseWiring, type ManagerOptions } from './wiring.ts';

export type { ManagerOptions } from './wiring.ts';

/** The production wiring of a manager from the environment; CLI, actions and HTTP API all start here. */
export function createManager(opts: ManagerOptions = {}): SandboxManager {
  const registry = defaultRegistry();
  const { env, log, catalog, credentials, store } = baseWiring(opts, registry);
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

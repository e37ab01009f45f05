import type { Logger } from '../core/logger.ts';
import { silentLogger } from '../core/logger.ts';
import type { LifecycleHooks } from '../events/hooks.ts';
import { StateHubHooks, stateHubConfig } from '../events/state-hub.ts';
import { finHubConfig } from '../export/config.ts';
import { FinHubHooks } from '../export/fin-hub-hooks.ts';
import type { StateStore } from '../state/store.ts';
import { CreditsHooks } from './credits-hooks.ts';

/**
 * The production hooks, in order: credits (a local write: hold, then debit/release), fin-hub export (queue, then
 * send), State Hub (best effort). Export and State Hub are on only when their URL is set.
 */
export function defaultHooks(input: {
  store: StateStore;
  env: NodeJS.ProcessEnv;
  log?: Logger;
}): LifecycleHooks[] {
  const log = input.log ?? silentLogger;
  const hooks: LifecycleHooks[] = [new CreditsHooks(input.store, input.env)];
  const finHub = finHubConfig(input.env);
  if (finHub) hooks.push(new FinHubHooks(input.store, finHub, { log }));
  const hub = stateHubConfig(input.env);
  if (hub) hooks.push(new StateHubHooks(hub, log));
  return hooks;
}

import type { Catalog } from '../catalog/loader.ts';
import type { RouteStrategy } from '../catalog/schema.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Caller, Owner, SandboxRecord } from '../core/record.ts';
import type { CredentialResolver } from '../credentials/resolver.ts';
import type { LifecycleHooks } from '../events/hooks.ts';
import type { ExtensionRegistry } from '../extensions/registry.ts';
import type { Router } from '../routing/types.ts';
import type { StateStore } from '../state/store.ts';
import type { PathResolver } from './inputs.ts';

/** What the manager's modules are built from (src/manager/factory.ts wires the production set). */
export interface ManagerDeps {
  catalog: Catalog;
  registry: ExtensionRegistry;
  store: StateStore;
  owner: Owner;
  credentials?: CredentialResolver;
  router?: Router;
  hooks?: LifecycleHooks[];
  clock?: Clock;
  log?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Bound on provision + ready (per candidate), seconds. Default 600, or the extension's config.ready_timeout_s. */
  readyTimeout_s?: number;
  /** Bound on one teardown, seconds. */
  teardownTimeout_s?: number;
}

export interface CreateOptions {
  profileId?: string;
  inputs?: Record<string, string>;
  ttl?: string;
  route?: RouteStrategy;
  signal?: AbortSignal;
  /** Extra labels for the backend objects. */
  labels?: Record<string, string>;
  /** The HTTP API caller asking (written into the record: record.caller). */
  caller?: Caller;
  /** How `path` inputs are resolved (default: against the working directory). */
  paths?: PathResolver;
  /** Called once the record exists (state `requested`), before any backend call: lets callers (HTTP API,
   *  the setup action) learn and persist the id before the long part starts. */
  onCreated?: (record: SandboxRecord) => void | Promise<void>;
}

export interface DestroyOptions {
  signal?: AbortSignal;
  /** Why: recorded in history. `ttl` ends in the `expired` state. */
  reason?: 'user' | 'ttl' | 'reap' | 'recreate' | 'post-job';
  /** Marks the record so that a later, automatic teardown (the action's post step) knows it was done. */
  requestedBy?: string;
  /** Appended to the reason in history (e.g. why the reaper acted: 'backend object gone'). */
  detail?: string;
  /** Called once the record is `destroying`, before the backend teardown: lets the HTTP API answer 202 early. */
  onDestroying?: (record: SandboxRecord) => void | Promise<void>;
}

/** The lifetime a cost estimate assumes when a sandbox has no TTL. */
export const DEFAULT_TTL_FOR_ESTIMATE_S = 3600;
/** Bound on one teardown (and on a context handed out by contextFor), seconds. */
export const DEFAULT_TEARDOWN_TIMEOUT_S = 180;

/** The defined values of `keys` in `obj` (exactOptionalPropertyTypes: no `key: undefined`). */
export function pick<T extends object, K extends keyof T>(obj: T, ...keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

import type { Catalog } from '../catalog/loader.ts';
import { getProfile } from '../catalog/loader.ts';
import type { ExtensionManifest, Profile } from '../catalog/schema.ts';
import { systemClock } from '../core/clock.ts';
import { isTerminal } from '../core/lifecycle.ts';
import { silentLogger } from '../core/logger.ts';
import type { Owner, SandboxRecord, SandboxState, SnapshotRecord } from '../core/record.ts';
import { createCredentialResolver } from '../credentials/index.ts';
import type { CredentialResolver } from '../credentials/resolver.ts';
import type { ReapedAction } from '../events/hooks.ts';
import type { Extension, ExtensionContext } from '../extensions/contract.ts';
import type { ExtensionRegistry } from '../extensions/registry.ts';
import { StrategyRouter } from '../routing/router.ts';
import type { Router } from '../routing/types.ts';
import { listByState, type StateStore } from '../state/store.ts';
import { ExtensionGateway, type ContextOptions } from './gateway.ts';
import { HookBus } from './hook-bus.ts';
import { resolveInputs, resolveTtl } from './inputs.ts';
import { Lifecycle } from './lifecycle.ts';
import {
  DEFAULT_TEARDOWN_TIMEOUT_S,
  pick,
  type CreateOptions,
  type DestroyOptions,
  type ManagerDeps,
} from './options.ts';
import { Provisioner } from './provisioner.ts';
import { Snapshots } from './snapshots.ts';
import { Teardown } from './teardown.ts';
import { Ttl, type ExtendResult } from './ttl.ts';

export { DEFAULT_TTL_FOR_ESTIMATE_S } from './options.ts';
export type { CreateOptions, DestroyOptions, ManagerDeps } from './options.ts';

/**
 * The facade callers hold (CLI, action, HTTP API, reaper, library): each method delegates to one small module —
 * Lifecycle (the single writer of state, and the hook bus), ExtensionGateway (secrets, contexts, bounds),
 * Provisioner, Teardown, Snapshots and Ttl. See docs/meta-framework.md for the map.
 */
export class SandboxManager {
  readonly catalog: Catalog;
  readonly registry: ExtensionRegistry;
  readonly store: StateStore;
  readonly credentials: CredentialResolver;
  readonly router: Router;
  readonly owner: Owner;
  readonly lifecycle: Lifecycle;
  readonly gateway: ExtensionGateway;
  /** Set by `sandboxer serve`: its replica id, written into each record it creates (record.provisioner). */
  provisioner: string | undefined;
  private readonly provisioning: Provisioner;
  private readonly teardown: Teardown;
  private readonly snapshots: Snapshots;
  private readonly ttl: Ttl;

  constructor(deps: ManagerDeps) {
    this.catalog = deps.catalog;
    this.registry = deps.registry;
    this.store = deps.store;
    this.owner = deps.owner;
    const env = deps.env ?? process.env;
    const log = deps.log ?? silentLogger;
    this.credentials = deps.credentials ?? createCredentialResolver(env);
    this.router =
      deps.router ??
      new StrategyRouter({
        catalog: deps.catalog,
        registry: deps.registry,
        credentials: this.credentials,
        store: deps.store,
      });
    const bus = new HookBus(deps.hooks ?? [], log);
    this.lifecycle = new Lifecycle(deps.store, bus, deps.clock ?? systemClock);
    this.gateway = new ExtensionGateway({
      catalog: deps.catalog,
      registry: deps.registry,
      credentials: this.credentials,
      log,
      env,
      teardownTimeout_s: deps.teardownTimeout_s ?? DEFAULT_TEARDOWN_TIMEOUT_S,
    });
    const { lifecycle, gateway } = this;
    this.provisioning = new Provisioner({
      catalog: deps.catalog,
      registry: deps.registry,
      lifecycle,
      gateway,
      router: this.router,
      owner: deps.owner,
      log,
      env,
      readyTimeout_s: deps.readyTimeout_s,
      replica: () => this.provisioner,
    });
    this.teardown = new Teardown({ lifecycle, gateway, log });
    this.snapshots = new Snapshots({
      catalog: deps.catalog,
      store: deps.store,
      lifecycle,
      gateway,
      provisioner: this.provisioning,
      log,
    });
    this.ttl = new Ttl({
      lifecycle,
      gateway,
      list: (state) => this.list({ state }),
      destroy: (id, opts) => this.destroy(id, opts),
    });
  }

  // ---------------------------------------------------------------- queries

  get(id: string): Promise<SandboxRecord> {
    return this.lifecycle.get(id);
  }

  async list(filter: { state?: SandboxState[]; profileId?: string } = {}): Promise<SandboxRecord[]> {
    const all = await listByState(this.store, filter.state);
    return all.filter(
      (r) =>
        (!filter.state || filter.state.includes(r.state)) &&
        (!filter.profileId || r.profile_id === filter.profileId),
    );
  }

  extensionFor(record: Pick<SandboxRecord, 'extension_id'>): { ext: Extension; manifest: ExtensionManifest } {
    return this.gateway.extensionFor(record);
  }

  profileOrUndefined(id: string): Profile | undefined {
    return this.gateway.profileOrUndefined(id);
  }

  /** Context for callers outside the lifecycle (reaper, inspect) that need to talk to an extension. */
  contextFor(manifest: ExtensionManifest, opts: ContextOptions = {}): Promise<ExtensionContext> {
    return this.gateway.contextFor(manifest, opts);
  }

  // ---------------------------------------------------------------- create / destroy

  /** Validate inputs against the profile: unknown names, missing required ones, defaults, paths. */
  resolveInputs(profile: Profile, given: Record<string, string>): Record<string, string> {
    return resolveInputs(profile, given);
  }

  resolveTtl(profile: Profile, ttl: string | undefined): number | undefined {
    return resolveTtl(profile, ttl);
  }

  create(opts: CreateOptions = {}): Promise<SandboxRecord> {
    return this.provisioning.create(opts);
  }

  destroy(id: string, opts: DestroyOptions = {}): Promise<SandboxRecord> {
    return this.teardown.destroy(id, opts);
  }

  async recreate(
    id: string,
    opts: Pick<CreateOptions, 'signal' | 'onCreated' | 'caller' | 'paths'> = {},
  ): Promise<SandboxRecord> {
    const old = await this.get(id);
    const profile = getProfile(this.catalog, old.profile_id);
    // The inputs are checked again (a path input against the caller's policy) before the old one is torn down.
    const inputs = resolveInputs(profile, old.inputs, opts.paths);
    if (!isTerminal(old.state)) await this.destroy(id, { reason: 'recreate', ...pick(opts, 'signal') });
    return this.provisioning.routeAndProvision(profile, inputs, old.ttl_s, {
      recreated_from: id,
      ...pick(opts, 'signal', 'onCreated', 'caller'),
    });
  }

  // ---------------------------------------------------------------- TTL

  extendTtl(id: string, duration: string): Promise<ExtendResult> {
    return this.ttl.extend(id, duration);
  }

  /** Live sandboxes whose TTL has lapsed. With apply, each is torn down and ends `expired`. */
  expire(
    opts: { apply?: boolean; signal?: AbortSignal } = {},
  ): Promise<{ expired: SandboxRecord[]; errors: { id: string; error: string }[] }> {
    return this.ttl.expire(opts);
  }

  // ---------------------------------------------------------------- snapshots

  snapshot(id: string, name?: string): Promise<SnapshotRecord> {
    return this.snapshots.snapshot(id, name);
  }

  listSnapshots(filter: { sandboxId?: string; all?: boolean } = {}): Promise<SnapshotRecord[]> {
    return this.snapshots.list(filter);
  }

  /** Delete the backend copy (where the extension can) and mark the index entry `deleted`; idempotent. */
  deleteSnapshot(snapshotId: string, opts: { signal?: AbortSignal } = {}): Promise<SnapshotRecord> {
    return this.snapshots.delete(snapshotId, opts);
  }

  getSnapshot(snapshotId: string): Promise<SnapshotRecord> {
    return this.snapshots.get(snapshotId);
  }

  restore(
    snapshotId: string,
    opts: Pick<CreateOptions, 'signal' | 'ttl' | 'onCreated' | 'caller'> = {},
  ): Promise<SandboxRecord> {
    return this.snapshots.restore(snapshotId, opts);
  }

  // ---------------------------------------------------------------- hooks

  /** Fan an applied reaper action out to the hooks (State Hub); best effort, never throws. */
  announceReaped(action: ReapedAction): Promise<void> {
    return this.lifecycle.bus.notify('onReaped', { action });
  }
}

import { waitFor } from './wait.ts';
import { precheckCreate } from './precheck.ts';
import { nothingMadeOnError, takeNothingMade } from '../extensions/made-nothing.ts';
import {
  addEstimate,
  assertExtendable,
  assertWithinMax,
  extendedExpiry,
  reserveExtension,
} from './extend.ts';
import { existsSync, statSync } from 'node:fs';
import { bounded, detachedBound, readyBound } from './bounds.ts';
import { resolve as resolvePath } from 'node:path';
import { getExtensionManifest, getProfile, type Catalog } from '../catalog/loader.ts';
import type { ExtensionManifest, Profile, RouteStrategy } from '../catalog/schema.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { parseDurationSeconds } from '../core/duration.ts';
import {
  CancelledError,
  isCancellation,
  notFound,
  SandboxerError,
  toSandboxerError,
  usageError,
} from '../core/errors.ts';
import { checkSnapshotName, newSandboxId, newSnapshotId } from '../core/ids.ts';
import { ownershipLabels } from '../core/labels.ts';
import { assertTransition, isTerminal } from '../core/lifecycle.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import type {
  Handle,
  Owner,
  RouteCandidate,
  SandboxRecord,
  SandboxState,
  SnapshotRecord,
} from '../core/record.ts';
import { createCredentialResolver, credentialSpecsFor } from '../credentials/index.ts';
import {
  CredentialResolver,
  emptySecrets,
  missingCredentialsError,
  type CredentialMemo,
} from '../credentials/resolver.ts';
import type { Extension, ExtensionContext, ProvisionContext, Secrets } from '../extensions/contract.ts';
import type { ExtensionRegistry } from '../extensions/registry.ts';
import type { LifecycleHooks, ReapedAction } from '../events/hooks.ts';
import { noCandidate, routeExhausted } from '../routing/errors.ts';
import { StrategyRouter } from '../routing/router.ts';
import type { RoutePlan, Router } from '../routing/types.ts';
import { listByState, type StateStore } from '../state/store.ts';

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

export const DEFAULT_TTL_FOR_ESTIMATE_S = 3600;

/**
 * The one place a lifecycle transition happens. Every transition is persisted before the backend is touched;
 * hooks (events, payments) fan out after each persisted transition.
 */
export class SandboxManager {
  readonly catalog: Catalog;
  readonly registry: ExtensionRegistry;
  readonly store: StateStore;
  readonly credentials: CredentialResolver;
  readonly router: Router;
  readonly owner: Owner;
  private readonly hooks: LifecycleHooks[];
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly env: NodeJS.ProcessEnv;
  private readonly readyTimeout_s: number | undefined;
  private readonly teardownTimeout_s: number;
  /** Set by `sandboxer serve`: its replica id, written into each record it creates (record.provisioner). */
  provisioner: string | undefined;

  constructor(deps: ManagerDeps) {
    this.catalog = deps.catalog;
    this.registry = deps.registry;
    this.store = deps.store;
    this.owner = deps.owner;
    this.credentials = deps.credentials ?? createCredentialResolver(deps.env ?? process.env);
    this.router =
      deps.router ??
      new StrategyRouter({
        catalog: deps.catalog,
        registry: deps.registry,
        credentials: this.credentials,
        store: deps.store,
      });
    this.hooks = deps.hooks ?? [];
    this.clock = deps.clock ?? systemClock;
    this.log = deps.log ?? silentLogger;
    this.env = deps.env ?? process.env;
    this.readyTimeout_s = deps.readyTimeout_s;
    this.teardownTimeout_s = deps.teardownTimeout_s ?? 180;
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  // ---------------------------------------------------------------- queries

  async get(id: string): Promise<SandboxRecord> {
    const r = await this.store.getSandbox(id);
    if (!r) throw notFound('sandbox', id, "run 'sandboxer list' to see known sandboxes");
    return r;
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
    const manifest = getExtensionManifest(this.catalog, record.extension_id);
    return { ext: this.registry.get(manifest), manifest };
  }

  // ---------------------------------------------------------------- create

  /** Validate inputs against the profile: unknown names, missing required ones, defaults, paths. */
  resolveInputs(profile: Profile, given: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of Object.keys(given)) {
      if (!(name in profile.inputs)) {
        const known = Object.keys(profile.inputs);
        throw usageError(
          `profile ${profile.id} has no input '${name}'`,
          known.length ? `its inputs are: ${known.join(', ')}` : 'this profile takes no inputs',
        );
      }
    }
    for (const [name, spec] of Object.entries(profile.inputs)) {
      let value = given[name] ?? spec.default;
      if (value === undefined) {
        if (spec.required)
          throw usageError(
            `profile ${profile.id} requires input '${name}'`,
            `pass --input ${name}=<value>${spec.description ? ` (${spec.description})` : ''}`,
          );
        continue;
      }
      if (spec.kind === 'path') {
        value = resolvePath(value);
        if (!existsSync(value) || !statSync(value).isDirectory()) {
          throw usageError(`input '${name}': directory '${value}' does not exist`);
        }
      }
      out[name] = value;
    }
    return out;
  }

  resolveTtl(profile: Profile, ttl: string | undefined): number | undefined {
    const raw = ttl ?? profile.ttl.default;
    if (raw === undefined) return undefined;
    const seconds = parseDurationSeconds(raw, 'TTL');
    if (profile.ttl.max !== undefined && seconds > parseDurationSeconds(profile.ttl.max)) {
      throw usageError(
        `TTL ${raw} exceeds the maximum of ${profile.ttl.max} for ${profile.id}`,
        `use --ttl ${profile.ttl.max} or less`,
      );
    }
    return seconds;
  }

  private async resolveSecrets(
    manifest: ExtensionManifest,
    profile: Profile | undefined,
    signal?: AbortSignal,
    memo?: CredentialMemo,
  ): Promise<Secrets> {
    const specs = credentialSpecsFor(manifest, profile);
    if (specs.length === 0) return emptySecrets;
    const { secrets, missing } = await this.credentials.resolve(specs, {
      env: this.env,
      ...(signal ? { signal } : {}),
      ...(memo ? { memo } : {}),
    });
    if (missing.length) throw missingCredentialsError(manifest.id, missing);
    return secrets;
  }

  private baseContext(
    manifest: ExtensionManifest,
    config: Record<string, unknown>,
    secrets: Secrets,
    signal: AbortSignal,
  ): ExtensionContext {
    return { manifest, config, secrets, signal, log: this.log, env: this.env };
  }

  profileOrUndefined(id: string): Profile | undefined {
    return this.catalog.profiles.get(id)?.value;
  }

  /** The route for a new sandbox; no eligible candidate at all is one routing error naming each and why. */
  private async planOrThrow(
    profile: Profile,
    ttl_s: number | undefined,
    opts: { route?: RouteStrategy; signal?: AbortSignal; memo?: CredentialMemo },
  ): Promise<RoutePlan> {
    const plan = await this.router.plan({
      profile,
      ttl_s: ttl_s ?? DEFAULT_TTL_FOR_ESTIMATE_S,
      env: this.env,
      ...(opts.memo ? { credentialMemo: opts.memo } : {}),
      ...(opts.route ? { strategy: opts.route } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (plan.order.length === 0) {
      throw noCandidate(profile.id, describeCandidates(plan.decision.candidates));
    }
    return plan;
  }

  async create(opts: CreateOptions = {}): Promise<SandboxRecord> {
    const profile = getProfile(this.catalog, opts.profileId);
    const inputs = this.resolveInputs(profile, opts.inputs ?? {});
    const ttl_s = this.resolveTtl(profile, opts.ttl);
    const { catalog, registry, log, env } = this;
    precheckCreate({ catalog, registry, log, env }, profile, inputs);
    const memo: CredentialMemo = new Map();
    const plan = await this.planOrThrow(profile, ttl_s, { ...pick(opts, 'route', 'signal'), memo });
    return this.provisionNew({
      profile,
      inputs,
      ttl_s,
      plan: plan.decision,
      order: plan.order,
      memo,
      ...pick(opts, 'signal', 'labels', 'onCreated'),
    });
  }

  private async provisionNew(args: {
    profile: Profile;
    inputs: Record<string, string>;
    ttl_s: number | undefined;
    plan: SandboxRecord['route'] & {};
    order: string[];
    signal?: AbortSignal;
    labels?: Record<string, string>;
    recreated_from?: string;
    restore?: SnapshotRecord;
    onCreated?: CreateOptions['onCreated'];
    /** Secrets the routing step already resolved (see CredentialMemo). */
    memo?: CredentialMemo;
  }): Promise<SandboxRecord> {
    const { profile } = args;
    const signal = args.signal ?? new AbortController().signal;
    const id = newSandboxId();
    const created_at = this.now();
    const expires_at = args.ttl_s
      ? new Date(Date.parse(created_at) + args.ttl_s * 1000).toISOString()
      : undefined;
    const firstManifest = getExtensionManifest(this.catalog, args.order[0]!);
    const candidates: RouteCandidate[] = args.plan.candidates.map((c) => ({
      ...c,
      outcome: c.outcome ?? (c.eligible ? 'not_tried' : 'skipped'),
    }));

    let record: SandboxRecord = {
      id,
      revision: 0,
      profile_id: profile.id,
      profile_version: profile.version,
      extension_id: firstManifest.id,
      state: 'requested',
      placement: {},
      handle: {},
      inputs: args.inputs,
      resources: profile.resources,
      labels: ownershipLabels({
        sandboxId: id,
        profileId: profile.id,
        owner: this.owner,
        ...(expires_at ? { expiresAt: expires_at } : {}),
        extra: { ...profile.labels, ...(args.labels ?? {}) },
      }),
      owner: this.owner,
      created_at,
      ...(args.ttl_s ? { ttl_s: args.ttl_s, expires_at } : {}),
      route: { ...args.plan, candidates },
      config: { ...firstManifest.config, ...profile.config },
      ...(args.recreated_from ? { recreated_from: args.recreated_from } : {}),
      ...(args.restore ? { restored_from: args.restore.id } : {}),
      ...(this.provisioner ? { provisioner: this.provisioner } : {}),
      history: [{ from: null, to: 'requested', at: created_at }],
    };
    await this.store.createSandbox(record);
    await this.fire(record, null, 'requested');
    await args.onCreated?.(record);

    for (let i = 0; i < args.order.length; i++) {
      const extId = args.order[i]!;
      const manifest = getExtensionManifest(this.catalog, extId);
      const ext = this.registry.get(manifest);
      const estimate = ext.estimateCost({
        resources: profile.resources,
        ttl_s: args.ttl_s ?? DEFAULT_TTL_FOR_ESTIMATE_S,
        manifest,
      });
      record = await this.store.updateSandbox(id, (r) => ({
        ...r,
        extension_id: extId,
        estimate_usd: estimate.usd,
        config: { ...manifest.config, ...profile.config },
        handle: {},
        placement: {},
      }));
      try {
        for (const h of this.hooks)
          if (h.beforeProvision) await h.beforeProvision({ record, profile, manifest });
        record = await this.transition(id, 'provisioning', {
          reason: i === 0 ? undefined : `fallback to ${extId}`,
        });
        record = await this.attempt(record, profile, manifest, ext, signal, args.restore, args.memo);
        record = await this.store.updateSandbox(id, (r) => ({
          ...r,
          route: markOutcome(r.route, extId, 'chosen', undefined, extId),
        }));
        return record;
      } catch (err) {
        const e = toSandboxerError(err);
        const cancelled = isCancellation(err, signal);
        record = await this.store.updateSandbox(id, (r) => ({
          ...r,
          route: markOutcome(r.route, extId, 'failed', e.message),
        }));
        const last = i === args.order.length - 1;
        // Credentials that do not resolve disqualify a candidate just as a retryable backend failure does.
        const fallback = !cancelled && (e.retryable || e.code === 'credentials') && !last;
        await this.cleanupAttempt(id, profile, manifest, ext, fallback ? undefined : e);
        if (fallback) {
          this.log.warn(`${extId} failed (${e.message}); falling back to ${args.order[i + 1]}`);
          // provisioning → (cleanup) → provisioning on the next candidate is bookkept without a state change:
          record = await this.store.getSandbox(id).then((r) => r!);
          continue;
        }
        if (cancelled)
          throw new CancelledError(`create of ${id} cancelled; what was made has been torn down`);
        // A route that ran out of candidates fails with one error naming every candidate and why.
        if (last && args.plan.candidates.length > 1) {
          throw routeExhausted(profile.id, (await this.get(id)).route, e);
        }
        throw e;
      }
    }
    throw new SandboxerError('internal', 'unreachable: no candidate attempted');
  }

  /** Provision + wait ready on one candidate, bounded by a timeout and the caller's signal. */
  private async attempt(
    record: SandboxRecord,
    profile: Profile,
    manifest: ExtensionManifest,
    ext: Extension,
    signal: AbortSignal,
    restore: SnapshotRecord | undefined,
    memo?: CredentialMemo,
  ): Promise<SandboxRecord> {
    const timeout_s = Number(record.config.ready_timeout_s ?? this.readyTimeout_s ?? 600);
    const id = record.id;
    await readyBound(manifest.id, timeout_s, signal, async (bounded) => {
      const secrets = await this.resolveSecrets(manifest, profile, bounded, memo).catch(
        nothingMadeOnError(id),
      );
      const ctx: ProvisionContext = {
        ...this.baseContext(manifest, record.config, secrets, bounded),
        sandbox: record,
        profile,
        labels: record.labels,
        saveHandle: async (patch: Handle) => {
          const r = await this.store.updateSandbox(id, (cur) => ({
            ...cur,
            handle: { ...cur.handle, ...patch },
          }));
          (ctx as { sandbox: SandboxRecord }).sandbox = r;
        },
      };
      await this.log.group(`provision ${id} on ${manifest.id}`, async () => {
        const res = restore && ext.restore ? await ext.restore(ctx, restore) : await ext.provision(ctx);
        await ctx.saveHandle(res.handle);
        if (res.placement)
          await this.store.updateSandbox(id, (cur) => ({ ...cur, placement: res.placement! }));
        await ext.waitReady(ctx, { ...ctx.sandbox.handle, ...res.handle });
        if (profile.wait.length) await waitFor(ext, ctx, profile.wait);
      });
    });
    return this.transition(id, 'ready', { patch: (r) => ({ ...r, ready_at: this.now() }) });
  }

  /** After a failed attempt: tear down whatever was made. On a final failure the record ends `failed`. */
  private async cleanupAttempt(
    id: string,
    profile: Profile,
    manifest: ExtensionManifest,
    ext: Extension,
    finalError: SandboxerError | undefined,
  ): Promise<void> {
    let cleaned = false;
    try {
      const current = await this.get(id);
      // A create refused before anything existed (bad key) has nothing to clean: no teardown that could only fail.
      if (!takeNothingMade(current)) {
        const secrets = await this.resolveSecrets(manifest, profile).catch(() => emptySecrets);
        await this.log.group(`clean up ${id} on ${manifest.id}`, () =>
          bounded(this.teardownTimeout_s * 1000, undefined, (signal) =>
            ext.teardown({
              ...this.baseContext(manifest, current.config, secrets, signal),
              sandbox: current,
            }),
          ),
        );
      }
      cleaned = true;
    } catch (err) {
      this.log.warn(
        `cleanup of ${id} on ${manifest.id} failed: ${toSandboxerError(err).message}; 'sandboxer reap-stale --apply' will retry`,
      );
    }
    if (finalError) {
      const current = await this.get(id);
      if (current.state === 'destroying' || isTerminal(current.state)) return; // someone else took over
      await this.transition(id, 'failed', {
        reason: finalError.code,
        patch: (r) => ({
          ...r,
          error: { code: finalError.code, message: finalError.message },
          cleanup_pending: !cleaned,
          ...this.meterPatch(r, manifest, ext),
        }),
      });
      await this.settle(id, manifest);
    } else if (!cleaned) {
      // Falling back while the first backend's object may still exist: remember it for the reaper.
      await this.store.updateSandbox(id, (r) => ({
        ...r,
        route: markOutcome(r.route, manifest.id, 'failed', 'cleanup pending: reap-stale will retry'),
      }));
    }
  }

  // ---------------------------------------------------------------- destroy

  async destroy(id: string, opts: DestroyOptions = {}): Promise<SandboxRecord> {
    let record = await this.get(id);
    if (record.state === 'destroyed' || record.state === 'expired') return record;
    if (record.state === 'failed' && !record.cleanup_pending) return record;
    if (record.state === 'requested') {
      // Nothing was made yet (the creator died before provisioning started).
      return this.transition(id, 'failed', {
        reason: historyReason(opts, 'destroyed before provisioning'),
        patch: (r) => ({
          ...r,
          error: { code: 'cancelled', message: 'destroyed before provisioning' },
          ...(opts.requestedBy ? { teardown_requested_by: opts.requestedBy } : {}),
        }),
      });
    }
    const { ext, manifest } = this.extensionFor(record);
    const profile = this.profileOrUndefined(record.profile_id);
    const wasFailed = record.state === 'failed';
    if (record.state !== 'destroying') {
      try {
        record = await this.transition(id, 'destroying', {
          reason: historyReason(opts),
          patch: (r) => ({ ...r, ...(opts.requestedBy ? { teardown_requested_by: opts.requestedBy } : {}) }),
        });
      } catch (err) {
        // Another process finished the teardown between our read and our write: that is success.
        const current = await this.get(id);
        if (isTerminal(current.state) && !current.cleanup_pending) return current;
        throw err;
      }
    }
    await opts.onDestroying?.(record);
    const secrets = await this.resolveSecrets(manifest, profile, opts.signal);
    try {
      await this.log.group(`teardown ${id} on ${manifest.id}`, () =>
        bounded(this.teardownTimeout_s * 1000, opts.signal, (signal) =>
          ext.teardown({ ...this.baseContext(manifest, record.config, secrets, signal), sandbox: record }),
        ),
      );
    } catch (err) {
      const e = toSandboxerError(err);
      await this.store.updateSandbox(id, (r) => ({
        ...r,
        error: { code: e.code, message: `teardown: ${e.message}` },
      }));
      throw new SandboxerError(e.code, `teardown of ${id} failed: ${e.message}`, {
        retryable: true,
        hint: `the sandbox stays in 'destroying'; run 'sandboxer destroy ${id}' again or 'sandboxer reap-stale --apply'`,
        cause: err,
      });
    }
    const final: SandboxState = wasFailed ? 'failed' : opts.reason === 'ttl' ? 'expired' : 'destroyed';
    const settled = await this.get(id);
    if (settled.state !== final && isTerminal(settled.state) && !settled.cleanup_pending) return settled;
    record = await this.transition(id, final, {
      reason: historyReason(opts),
      patch: (r) => ({
        ...r,
        destroyed_at: r.destroyed_at ?? this.now(),
        cleanup_pending: wasFailed ? false : r.cleanup_pending,
        ...this.meterPatch(r, manifest, ext),
      }),
    });
    await this.settle(id, manifest);
    return this.get(id);
  }

  /** Meter once, when the record reaches a terminal state after a backend object existed. */
  private meterPatch(r: SandboxRecord, manifest: ExtensionManifest, ext: Extension): Partial<SandboxRecord> {
    if (r.meter || manifest.pricing.model !== 'metered' || Object.keys(r.handle).length === 0) return {};
    return { meter: ext.meterActual({ sandbox: r, manifest, ended_at: this.now() }) };
  }

  private async settle(id: string, manifest: ExtensionManifest): Promise<void> {
    const record = await this.get(id);
    for (const h of this.hooks) {
      if (!h.onSettled) continue;
      try {
        await h.onSettled({ record, manifest });
      } catch (err) {
        this.log.warn(`${h.name}: ${toSandboxerError(err).message}`);
      }
    }
  }

  async recreate(
    id: string,
    opts: { signal?: AbortSignal; onCreated?: CreateOptions['onCreated'] } = {},
  ): Promise<SandboxRecord> {
    const old = await this.get(id);
    const profile = getProfile(this.catalog, old.profile_id);
    if (!isTerminal(old.state)) await this.destroy(id, { reason: 'recreate', ...pick(opts, 'signal') });
    const ttl_s = old.ttl_s;
    const memo: CredentialMemo = new Map();
    const plan = await this.planOrThrow(profile, ttl_s, { ...pick(opts, 'signal'), memo });
    return this.provisionNew({
      profile,
      inputs: this.resolveInputs(profile, old.inputs),
      ttl_s,
      plan: plan.decision,
      order: plan.order,
      memo,
      recreated_from: id,
      ...pick(opts, 'signal', 'onCreated'),
    });
  }

  // ---------------------------------------------------------------- TTL

  async extendTtl(
    id: string,
    duration: string,
  ): Promise<{ record: SandboxRecord; pushed: boolean; note?: string }> {
    const add_s = parseDurationSeconds(duration, 'duration'); // a usage error before anything is read
    const record = assertExtendable(await this.get(id));
    const profile = this.profileOrUndefined(record.profile_id);
    const { ext, manifest } = this.extensionFor(record);
    // Capability, lifetime and money first (credits hold the added time like a create's estimate): a refusal
    // changes nothing.
    const now = () => this.clock.now().getTime();
    const ctx = { hooks: this.hooks, record, profile, manifest, ext, add_s, duration, now: now() };
    const extra = await reserveExtension(ctx);
    // The read-modify-write happens inside the store's serialised update: concurrent extends add up.
    const updated = await this.store.updateSandbox(id, (r) => {
      assertExtendable(r);
      const expires_at = extendedExpiry(r, add_s, now());
      assertWithinMax(profile, r, expires_at, duration);
      return {
        ...r,
        estimate_usd: addEstimate(r.estimate_usd, extra),
        expires_at,
        ttl_s: Math.round((Date.parse(expires_at) - Date.parse(r.created_at)) / 1000),
        labels: { ...r.labels, 'io.sandboxer.expires-at': expires_at },
      };
    });
    const expires_at = updated.expires_at!;
    let pushed = false;
    let note: string | undefined;
    if (ext.extendTtl && manifest.capabilities.extend_ttl) {
      const secrets = await this.resolveSecrets(manifest, profile);
      const fromNow_s = Math.ceil((Date.parse(expires_at) - this.clock.now().getTime()) / 1000);
      await bounded(60_000, undefined, (signal) =>
        ext.extendTtl!(
          { ...this.baseContext(manifest, updated.config, secrets, signal), sandbox: updated },
          expires_at,
          fromNow_s,
        ),
      );
      pushed = true;
    } else {
      note = `${manifest.id} cannot extend a running sandbox's lifetime (not supported by this backend); the new expiry is recorded and enforced by 'sandboxer expire' and reap-stale only`;
    }
    return { record: updated, pushed, ...(note ? { note } : {}) };
  }

  /** Live sandboxes whose TTL has lapsed. With apply, each is torn down and ends `expired`. */
  async expire(
    opts: { apply?: boolean; signal?: AbortSignal } = {},
  ): Promise<{ expired: SandboxRecord[]; errors: { id: string; error: string }[] }> {
    const now = this.clock.now().getTime();
    const due = (await this.list({ state: ['ready', 'provisioning', 'destroying'] })).filter(
      (r) => r.expires_at && Date.parse(r.expires_at) <= now,
    );
    if (!opts.apply) return { expired: due, errors: [] };
    const expired: SandboxRecord[] = [];
    const errors: { id: string; error: string }[] = [];
    for (const r of due) {
      try {
        expired.push(await this.destroy(r.id, { reason: 'ttl', ...pick(opts, 'signal') }));
      } catch (err) {
        errors.push({ id: r.id, error: toSandboxerError(err).message });
      }
    }
    return { expired, errors };
  }

  // ---------------------------------------------------------------- snapshots

  async snapshot(id: string, name?: string): Promise<SnapshotRecord> {
    checkSnapshotName(name);
    const record = await this.get(id);
    if (record.state !== 'ready')
      throw new SandboxerError(
        'illegal_transition',
        `sandbox ${id} is ${record.state}; only a ready sandbox can be snapshotted`,
      );
    const { ext, manifest } = this.extensionFor(record);
    if (!ext.snapshot || !manifest.capabilities.snapshot) {
      throw new SandboxerError('unsupported', `${manifest.id} does not support snapshots`, {
        hint: 'use a profile whose extension declares capabilities.snapshot',
      });
    }
    const secrets = await this.resolveSecrets(manifest, this.profileOrUndefined(record.profile_id));
    const result = await this.log.group(`snapshot ${id}`, () =>
      bounded(this.teardownTimeout_s * 1000 * 5, undefined, (signal) =>
        ext.snapshot!(
          { ...this.baseContext(manifest, record.config, secrets, signal), sandbox: record },
          name,
        ),
      ),
    );
    const snap: SnapshotRecord = {
      id: newSnapshotId(),
      sandbox_id: id,
      profile_id: record.profile_id,
      extension_id: record.extension_id,
      ...(name ? { name } : {}),
      created_at: this.now(),
      state: 'available',
      handle: result.handle,
      ...(result.expires_at ? { expires_at: result.expires_at } : {}),
    };
    await this.store.putSnapshot(snap);
    await this.announceSnapshot(snap, record);
    return snap;
  }

  async listSnapshots(filter: { sandboxId?: string; all?: boolean } = {}): Promise<SnapshotRecord[]> {
    const now = this.clock.now().getTime();
    return (await this.store.listSnapshots()).filter(
      (s) =>
        (filter.all || (s.state === 'available' && !snapshotExpired(s, now))) &&
        (!filter.sandboxId || s.sandbox_id === filter.sandboxId),
    );
  }

  /** Delete the backend copy (where the extension can) and mark the index entry `deleted`; idempotent. */
  async deleteSnapshot(snapshotId: string, opts: { signal?: AbortSignal } = {}): Promise<SnapshotRecord> {
    const snap = await this.getSnapshot(snapshotId);
    if (snap.state === 'deleted') return snap;
    const manifest = getExtensionManifest(this.catalog, snap.extension_id);
    const ext = this.registry.get(manifest);
    if (!ext.deleteSnapshot) {
      throw new SandboxerError('unsupported', `${manifest.id} cannot delete snapshots`, {
        hint: "remove it with the backend's own tools; the snapshot index keeps the entry",
      });
    }
    const profile = this.profileOrUndefined(snap.profile_id);
    const ctx = await this.contextFor(manifest, {
      ...(profile ? { profile } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    await this.log.group(`delete snapshot ${snapshotId}`, () => ext.deleteSnapshot!(ctx, snap));
    const deleted: SnapshotRecord = { ...snap, state: 'deleted' };
    await this.store.putSnapshot(deleted);
    await this.announceSnapshot(deleted);
    return deleted;
  }

  async getSnapshot(snapshotId: string): Promise<SnapshotRecord> {
    const s = await this.store.getSnapshot(snapshotId);
    if (!s) throw notFound('snapshot', snapshotId, "run 'sandboxer snapshots list'");
    return s;
  }

  async restore(
    snapshotId: string,
    opts: { signal?: AbortSignal; ttl?: string; onCreated?: CreateOptions['onCreated'] } = {},
  ): Promise<SandboxRecord> {
    const snap = await this.getSnapshot(snapshotId);
    if (snap.state !== 'available')
      throw new SandboxerError('illegal_transition', `snapshot ${snapshotId} is ${snap.state}`);
    if (snapshotExpired(snap, this.clock.now().getTime()))
      throw new SandboxerError(
        'illegal_transition',
        `snapshot ${snapshotId} expired at ${snap.expires_at}: ${snap.extension_id} has deleted it`,
        { hint: "take a new snapshot; 'sandboxer snapshots list' shows only those still available" },
      );
    const source = await this.store.getSandbox(snap.sandbox_id);
    const profile = getProfile(this.catalog, snap.profile_id);
    const manifest = getExtensionManifest(this.catalog, snap.extension_id);
    const ext = this.registry.get(manifest);
    if (!ext.restore || !manifest.capabilities.restore)
      throw new SandboxerError('unsupported', `${manifest.id} does not support restore`);
    const ttl_s = this.resolveTtl(profile, opts.ttl);
    const estimate = ext.estimateCost({
      resources: profile.resources,
      ttl_s: ttl_s ?? DEFAULT_TTL_FOR_ESTIMATE_S,
      manifest,
    });
    return this.provisionNew({
      profile,
      inputs: source?.inputs ?? {},
      ttl_s,
      plan: {
        strategy: 'explicit',
        chosen: manifest.id,
        candidates: [
          {
            extension_id: manifest.id,
            eligible: true,
            reason: `restore of ${snapshotId}`,
            estimate_usd: estimate.usd,
          },
        ],
      },
      order: [manifest.id],
      restore: snap,
      ...pick(opts, 'signal', 'onCreated'),
    });
  }

  // ---------------------------------------------------------------- transitions

  /**
   * The only write path for `state`. Checks the lifecycle machine inside the store's atomic update, so two
   * processes racing on one sandbox cannot both make the same transition; a repeat of the current state is a no-op.
   */
  private async transition(
    id: string,
    to: SandboxState,
    opts: { reason?: string | undefined; patch?: (r: SandboxRecord) => SandboxRecord } = {},
  ): Promise<SandboxRecord> {
    let from: SandboxState | null = null;
    const record = await this.store.updateSandbox(id, (r) => {
      from = r.state;
      if (r.state === to) return opts.patch ? opts.patch(r) : r;
      assertTransition(id, r.state, to);
      const next = opts.patch ? opts.patch(r) : r;
      return {
        ...next,
        state: to,
        history: [
          ...r.history,
          { from: r.state, to, at: this.now(), ...(opts.reason ? { reason: opts.reason } : {}) },
        ],
      };
    });
    if (from !== to) await this.fire(record, from, to);
    return record;
  }

  private async fire(record: SandboxRecord, from: SandboxState | null, to: SandboxState): Promise<void> {
    for (const h of this.hooks) {
      if (!h.onTransition) continue;
      try {
        await h.onTransition({ record, from, to });
      } catch (err) {
        this.log.warn(`${h.name}: ${toSandboxerError(err).message}`);
      }
    }
  }

  private async announceSnapshot(snapshot: SnapshotRecord, record?: SandboxRecord): Promise<void> {
    for (const h of this.hooks) {
      if (!h.onSnapshot) continue;
      try {
        await h.onSnapshot({ snapshot, ...(record ? { record } : {}) });
      } catch (err) {
        this.log.warn(`${h.name}: ${toSandboxerError(err).message}`);
      }
    }
  }

  /** Fan an applied reaper action out to the hooks (State Hub); best effort, never throws. */
  async announceReaped(action: ReapedAction): Promise<void> {
    for (const h of this.hooks) {
      if (!h.onReaped) continue;
      try {
        await h.onReaped({ action });
      } catch (err) {
        this.log.warn(`${h.name}: ${toSandboxerError(err).message}`);
      }
    }
  }

  /** Context for callers outside the lifecycle (reaper, inspect) that need to talk to an extension. */
  async contextFor(
    manifest: ExtensionManifest,
    opts: {
      signal?: AbortSignal;
      profile?: Profile;
      config?: Record<string, unknown>;
      /** Secrets the caller's run already resolved (one reaper run touching many objects). */
      memo?: CredentialMemo;
    } = {},
  ): Promise<ExtensionContext> {
    const secrets = await this.resolveSecrets(manifest, opts.profile, opts.signal, opts.memo);
    const ctx = this.baseContext(
      manifest,
      opts.config ?? { ...manifest.config, ...(opts.profile?.config ?? {}) },
      secrets,
      opts.signal ?? detachedBound(this.teardownTimeout_s * 1000),
    );
    return opts.profile ? { ...ctx, placement: opts.profile.placement } : ctx;
  }
}

/** Past the lifetime the backend gave it, a snapshot is gone there whatever the index says. */
const snapshotExpired = (s: SnapshotRecord, now: number): boolean =>
  s.expires_at !== undefined && Date.parse(s.expires_at) <= now;

function markOutcome(
  route: SandboxRecord['route'],
  extId: string,
  outcome: RouteCandidate['outcome'],
  error?: string,
  chosen?: string,
): SandboxRecord['route'] {
  if (!route) return route;
  return {
    ...route,
    ...(chosen ? { chosen } : {}),
    candidates: route.candidates.map((c) =>
      c.extension_id === extId ? { ...c, outcome, ...(error ? { error } : {}) } : c,
    ),
  };
}

function historyReason(opts: DestroyOptions, fallback?: string): string {
  const base = fallback ?? opts.reason ?? 'user';
  return opts.detail ? `${opts.reason ?? base}: ${opts.detail}` : base;
}

function describeCandidates(cands: RouteCandidate[]): string {
  return cands.map((c) => `${c.extension_id} (${c.reason})`).join('; ');
}

function pick<T extends object, K extends keyof T>(obj: T, ...keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

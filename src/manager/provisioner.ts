import { getExtensionManifest, getProfile, type Catalog } from '../catalog/loader.ts';
import type { ExtensionManifest, Profile, RouteStrategy } from '../catalog/schema.ts';
import { CancelledError, isCancellation, SandboxerError, toSandboxerError } from '../core/errors.ts';
import { newSandboxId } from '../core/ids.ts';
import { ownershipLabels } from '../core/labels.ts';
import { processProvisioner } from '../core/local-process.ts';
import { isTerminal } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import type { Caller, Handle, Owner, RouteCandidate, SandboxRecord, SnapshotRecord } from '../core/record.ts';
import { emptySecrets, type CredentialMemo } from '../credentials/resolver.ts';
import type { Extension, ProvisionContext } from '../extensions/contract.ts';
import { nothingMadeOnError, takeNothingMade } from '../extensions/made-nothing.ts';
import type { ExtensionRegistry } from '../extensions/registry.ts';
import { noCandidate, routeExhausted } from '../routing/errors.ts';
import type { RoutePlan, Router } from '../routing/types.ts';
import { readyBound } from './bounds.ts';
import type { ExtensionGateway } from './gateway.ts';
import { resolveInputs, resolveTtl } from './inputs.ts';
import type { Lifecycle } from './lifecycle.ts';
import { DEFAULT_TTL_FOR_ESTIMATE_S, pick, type CreateOptions } from './options.ts';
import { precheckCreate } from './precheck.ts';
import { markOutcome } from './route-outcome.ts';
import { waitFor } from './wait.ts';

export interface ProvisionerDeps {
  catalog: Catalog;
  registry: ExtensionRegistry;
  lifecycle: Lifecycle;
  gateway: ExtensionGateway;
  router: Router;
  owner: Owner;
  log: Logger;
  env: NodeJS.ProcessEnv;
  readyTimeout_s: number | undefined;
  /** The serving replica's id (record.provisioner), when `sandboxer serve` runs more than one. */
  replica: () => string | undefined;
}

/** One new sandbox on a route: the record first, then each candidate in order until one is ready. */
export interface ProvisionRequest {
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
  /** The HTTP API caller asking (record.caller). */
  caller?: Caller;
  /** Secrets the routing step already resolved (see CredentialMemo). */
  memo?: CredentialMemo;
}

/** Create: inputs, route, record, then provision + ready on each candidate with fallback and cleanup. */
export class Provisioner {
  constructor(private readonly deps: ProvisionerDeps) {}

  async create(opts: CreateOptions = {}): Promise<SandboxRecord> {
    const { catalog, registry, log, env } = this.deps;
    const profile = getProfile(catalog, opts.profileId);
    const inputs = resolveInputs(profile, opts.inputs ?? {}, opts.paths);
    const ttl_s = resolveTtl(profile, opts.ttl);
    precheckCreate({ catalog, registry, log, env }, profile, inputs);
    return this.routeAndProvision(profile, inputs, ttl_s, opts);
  }

  /** Plan a route for `profile` and provision on it (create and recreate). */
  async routeAndProvision(
    profile: Profile,
    inputs: Record<string, string>,
    ttl_s: number | undefined,
    opts: Pick<ProvisionRequest, 'signal' | 'labels' | 'onCreated' | 'recreated_from' | 'caller'> & {
      route?: RouteStrategy;
    },
  ): Promise<SandboxRecord> {
    const memo: CredentialMemo = new Map();
    const plan = await this.planOrThrow(profile, ttl_s, { ...pick(opts, 'route', 'signal'), memo });
    return this.provision({
      profile,
      inputs,
      ttl_s,
      plan: plan.decision,
      order: plan.order,
      memo,
      ...pick(opts, 'signal', 'labels', 'onCreated', 'recreated_from', 'caller'),
    });
  }

  /** The route for a new sandbox; no eligible candidate at all is one routing error naming each and why. */
  private async planOrThrow(
    profile: Profile,
    ttl_s: number | undefined,
    opts: { route?: RouteStrategy; signal?: AbortSignal; memo?: CredentialMemo },
  ): Promise<RoutePlan> {
    const plan = await this.deps.router.plan({
      profile,
      ttl_s: ttl_s ?? DEFAULT_TTL_FOR_ESTIMATE_S,
      env: this.deps.env,
      ...(opts.memo ? { credentialMemo: opts.memo } : {}),
      ...(opts.route ? { strategy: opts.route } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (plan.order.length === 0) {
      throw noCandidate(profile.id, describeCandidates(plan.decision.candidates));
    }
    return plan;
  }

  async provision(args: ProvisionRequest): Promise<SandboxRecord> {
    const { lifecycle, gateway } = this.deps;
    const { profile } = args;
    const signal = args.signal ?? new AbortController().signal;
    let record = await lifecycle.begin(this.newRecord(args));
    const id = record.id;
    await args.onCreated?.(record);

    for (let i = 0; i < args.order.length; i++) {
      const extId = args.order[i]!;
      const { ext, manifest } = gateway.extension(extId);
      const estimate = ext.estimateCost({
        resources: profile.resources,
        ttl_s: args.ttl_s ?? DEFAULT_TTL_FOR_ESTIMATE_S,
        manifest,
      });
      record = await lifecycle.update(id, (r) => ({
        ...r,
        extension_id: extId,
        estimate_usd: estimate.usd,
        config: { ...manifest.config, ...profile.config },
        handle: {},
        placement: {},
      }));
      try {
        await lifecycle.bus.gate('beforeProvision', { record, profile, manifest });
        record = await lifecycle.transition(id, 'provisioning', {
          reason: i === 0 ? undefined : `fallback to ${extId}`,
        });
        record = await this.attempt(record, profile, manifest, ext, signal, args.restore, args.memo);
        return await lifecycle.update(id, (r) => ({
          ...r,
          route: markOutcome(r.route, extId, 'chosen', undefined, extId),
        }));
      } catch (err) {
        const e = toSandboxerError(err);
        const cancelled = isCancellation(err, signal);
        await lifecycle.update(id, (r) => ({
          ...r,
          route: markOutcome(r.route, extId, 'failed', e.message),
        }));
        const last = i === args.order.length - 1;
        // Credentials that do not resolve disqualify a candidate just as a retryable backend failure does.
        const fallback = !cancelled && (e.retryable || e.code === 'credentials') && !last;
        await this.cleanupAttempt(id, profile, manifest, ext, fallback ? undefined : e);
        if (fallback) {
          this.deps.log.warn(`${extId} failed (${e.message}); falling back to ${args.order[i + 1]}`);
          // provisioning → (cleanup) → provisioning on the next candidate is bookkept without a state change:
          record = await lifecycle.get(id);
          continue;
        }
        if (cancelled)
          throw new CancelledError(`create of ${id} cancelled; what was made has been torn down`);
        // A route that ran out of candidates fails with one error naming every candidate and why.
        if (last && args.plan.candidates.length > 1) {
          throw routeExhausted(profile.id, (await lifecycle.get(id)).route, e);
        }
        throw e;
      }
    }
    throw new SandboxerError('internal', 'unreachable: no candidate attempted');
  }

  private newRecord(args: ProvisionRequest): SandboxRecord {
    const { profile } = args;
    const id = newSandboxId();
    const created_at = this.deps.lifecycle.now();
    const expires_at = args.ttl_s
      ? new Date(Date.parse(created_at) + args.ttl_s * 1000).toISOString()
      : undefined;
    const firstManifest = getExtensionManifest(this.deps.catalog, args.order[0]!);
    const replica = this.deps.replica();
    const candidates: RouteCandidate[] = args.plan.candidates.map((c) => ({
      ...c,
      outcome: c.outcome ?? (c.eligible ? 'not_tried' : 'skipped'),
    }));
    return {
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
        owner: this.deps.owner,
        ...(expires_at ? { expiresAt: expires_at } : {}),
        extra: { ...profile.labels, ...(args.labels ?? {}) },
      }),
      owner: this.deps.owner,
      created_at,
      ...(args.ttl_s ? { ttl_s: args.ttl_s, expires_at } : {}),
      route: { ...args.plan, candidates },
      config: { ...firstManifest.config, ...profile.config },
      ...(args.recreated_from ? { recreated_from: args.recreated_from } : {}),
      ...(args.restore ? { restored_from: args.restore.id } : {}),
      provisioner: replica ?? processProvisioner(),
      ...(args.caller ? { caller: args.caller } : {}),
      history: [{ from: null, to: 'requested', at: created_at }],
    };
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
    const { lifecycle, gateway } = this.deps;
    const timeout_s = Number(record.config.ready_timeout_s ?? this.deps.readyTimeout_s ?? 600);
    const id = record.id;
    await readyBound(manifest.id, timeout_s, signal, async (bounded) => {
      const secrets = await gateway.secrets(manifest, profile, bounded, memo).catch(nothingMadeOnError(id));
      const ctx: ProvisionContext = {
        ...gateway.context(manifest, record.config, secrets, bounded),
        sandbox: record,
        profile,
        labels: record.labels,
        saveHandle: async (patch: Handle) => {
          const r = await lifecycle.update(id, (cur) => ({ ...cur, handle: { ...cur.handle, ...patch } }));
          (ctx as { sandbox: SandboxRecord }).sandbox = r;
        },
      };
      await this.deps.log.group(`provision ${id} on ${manifest.id}`, async () => {
        const res = restore && ext.restore ? await ext.restore(ctx, restore) : await ext.provision(ctx);
        await ctx.saveHandle(res.handle);
        if (res.placement) await lifecycle.update(id, (cur) => ({ ...cur, placement: res.placement! }));
        await ext.waitReady(ctx, { ...ctx.sandbox.handle, ...res.handle });
        if (profile.wait.length) await waitFor(ext, ctx, profile.wait);
      });
    });
    return lifecycle.transition(id, 'ready', { patch: (r) => ({ ...r, ready_at: lifecycle.now() }) });
  }

  /** After a failed attempt: tear down whatever was made. On a final failure the record ends `failed`. */
  private async cleanupAttempt(
    id: string,
    profile: Profile,
    manifest: ExtensionManifest,
    ext: Extension,
    finalError: SandboxerError | undefined,
  ): Promise<void> {
    const { lifecycle, gateway } = this.deps;
    let cleaned = false;
    try {
      const current = await lifecycle.get(id);
      // A create refused before anything existed (bad key) has nothing to clean: no teardown that could only fail.
      if (!takeNothingMade(current)) {
        const secrets = await gateway.secrets(manifest, profile).catch(() => emptySecrets);
        await this.deps.log.group(`clean up ${id} on ${manifest.id}`, () =>
          gateway.onSandbox(manifest, current, secrets, { ms: gateway.teardownTimeout_s * 1000 }, (ctx) =>
            ext.teardown(ctx),
          ),
        );
      }
      cleaned = true;
    } catch (err) {
      this.deps.log.warn(
        `cleanup of ${id} on ${manifest.id} failed: ${toSandboxerError(err).message}; 'sandboxer reap-stale --apply' will retry`,
      );
    }
    if (finalError) {
      const current = await lifecycle.get(id);
      if (current.state === 'destroying' || isTerminal(current.state)) return; // someone else took over
      await lifecycle.transition(id, 'failed', {
        reason: finalError.code,
        patch: (r) => ({
          ...r,
          error: { code: finalError.code, message: finalError.message },
          cleanup_pending: !cleaned,
          ...lifecycle.meterPatch(r, manifest, ext),
        }),
      });
      await lifecycle.settle(id, manifest);
    } else if (!cleaned) {
      // Falling back while the first backend's object may still exist: remember it for the reaper.
      await lifecycle.update(id, (r) => ({
        ...r,
        route: markOutcome(r.route, manifest.id, 'failed', 'cleanup pending: reap-stale will retry'),
      }));
    }
  }
}

function describeCandidates(cands: RouteCandidate[]): string {
  return cands.map((c) => `${c.extension_id} (${c.reason})`).join('; ');
}

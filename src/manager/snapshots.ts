import { getProfile, type Catalog } from '../catalog/loader.ts';
import { SandboxerError, snapshotNotFound } from '../core/errors.ts';
import { checkSnapshotName, newSnapshotId } from '../core/ids.ts';
import type { Logger } from '../core/logger.ts';
import type { SandboxRecord, SnapshotRecord } from '../core/record.ts';
import type { StateStore } from '../state/store.ts';
import type { ExtensionGateway } from './gateway.ts';
import { resolveTtl } from './inputs.ts';
import type { Lifecycle } from './lifecycle.ts';
import { DEFAULT_TTL_FOR_ESTIMATE_S, pick, type CreateOptions } from './options.ts';
import type { Provisioner } from './provisioner.ts';

export interface SnapshotsDeps {
  catalog: Catalog;
  store: StateStore;
  lifecycle: Lifecycle;
  gateway: ExtensionGateway;
  provisioner: Provisioner;
  log: Logger;
}

/** Past the lifetime the backend gave it, a snapshot is gone there whatever the index says. */
const snapshotExpired = (s: SnapshotRecord, now: number): boolean =>
  s.expires_at !== undefined && Date.parse(s.expires_at) <= now;

/** Snapshots of ready sandboxes, the snapshot index, and restore into a new sandbox. */
export class Snapshots {
  constructor(private readonly deps: SnapshotsDeps) {}

  async snapshot(id: string, name?: string): Promise<SnapshotRecord> {
    const { lifecycle, gateway } = this.deps;
    checkSnapshotName(name);
    const record = await lifecycle.get(id);
    if (record.state !== 'ready')
      throw new SandboxerError(
        'illegal_transition',
        `sandbox ${id} is ${record.state}; only a ready sandbox can be snapshotted`,
      );
    const { ext, manifest } = gateway.extensionFor(record);
    if (!ext.snapshot || !manifest.capabilities.snapshot) {
      throw new SandboxerError('unsupported', `${manifest.id} does not support snapshots`, {
        hint: 'use a profile whose extension declares capabilities.snapshot',
      });
    }
    const secrets = await gateway.secrets(manifest, gateway.profileOrUndefined(record.profile_id));
    const result = await this.deps.log.group(`snapshot ${id}`, () =>
      gateway.onSandbox(manifest, record, secrets, { ms: gateway.teardownTimeout_s * 1000 * 5 }, (ctx) =>
        ext.snapshot!(ctx, name),
      ),
    );
    const snap: SnapshotRecord = {
      id: newSnapshotId(),
      sandbox_id: id,
      profile_id: record.profile_id,
      extension_id: record.extension_id,
      ...(name ? { name } : {}),
      created_at: lifecycle.now(),
      state: 'available',
      handle: result.handle,
      ...(result.expires_at ? { expires_at: result.expires_at } : {}),
    };
    await this.deps.store.putSnapshot(snap);
    await this.announce(snap, record);
    return snap;
  }

  async list(filter: { sandboxId?: string; all?: boolean } = {}): Promise<SnapshotRecord[]> {
    const now = this.deps.lifecycle.nowMs();
    return (await this.deps.store.listSnapshots()).filter(
      (s) =>
        (filter.all || (s.state === 'available' && !snapshotExpired(s, now))) &&
        (!filter.sandboxId || s.sandbox_id === filter.sandboxId),
    );
  }

  /** Delete the backend copy (where the extension can) and mark the index entry `deleted`; idempotent. */
  async delete(snapshotId: string, opts: { signal?: AbortSignal } = {}): Promise<SnapshotRecord> {
    const { gateway } = this.deps;
    const snap = await this.get(snapshotId);
    if (snap.state === 'deleted') return snap;
    const { ext, manifest } = gateway.extensionFor(snap);
    if (!ext.deleteSnapshot) {
      throw new SandboxerError('unsupported', `${manifest.id} cannot delete snapshots`, {
        hint: "remove it with the backend's own tools; the snapshot index keeps the entry",
      });
    }
    const profile = gateway.profileOrUndefined(snap.profile_id);
    const ctx = await gateway.contextFor(manifest, {
      ...(profile ? { profile } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    await this.deps.log.group(`delete snapshot ${snapshotId}`, () => ext.deleteSnapshot!(ctx, snap));
    const deleted: SnapshotRecord = { ...snap, state: 'deleted' };
    await this.deps.store.putSnapshot(deleted);
    await this.announce(deleted);
    return deleted;
  }

  async get(snapshotId: string): Promise<SnapshotRecord> {
    const s = await this.deps.store.getSnapshot(snapshotId);
    if (!s) throw snapshotNotFound(snapshotId);
    return s;
  }

  async restore(
    snapshotId: string,
    opts: Pick<CreateOptions, 'signal' | 'ttl' | 'onCreated' | 'caller'> = {},
  ): Promise<SandboxRecord> {
    const snap = await this.get(snapshotId);
    if (snap.state !== 'available')
      throw new SandboxerError('illegal_transition', `snapshot ${snapshotId} is ${snap.state}`);
    if (snapshotExpired(snap, this.deps.lifecycle.nowMs()))
      throw new SandboxerError(
        'illegal_transition',
        `snapshot ${snapshotId} expired at ${snap.expires_at}: ${snap.extension_id} has deleted it`,
        { hint: "take a new snapshot; 'sandboxer snapshots list' shows only those still available" },
      );
    const source = await this.deps.store.getSandbox(snap.sandbox_id);
    const profile = getProfile(this.deps.catalog, snap.profile_id);
    const { ext, manifest } = this.deps.gateway.extensionFor(snap);
    if (!ext.restore || !manifest.capabilities.restore)
      throw new SandboxerError('unsupported', `${manifest.id} does not support restore`);
    const ttl_s = resolveTtl(profile, opts.ttl);
    const estimate = ext.estimateCost({
      resources: profile.resources,
      ttl_s: ttl_s ?? DEFAULT_TTL_FOR_ESTIMATE_S,
      manifest,
    });
    return this.deps.provisioner.provision({
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
      ...pick(opts, 'signal', 'onCreated', 'caller'),
    });
  }

  private async announce(snapshot: SnapshotRecord, record?: SandboxRecord): Promise<void> {
    await this.deps.lifecycle.bus.notify('onSnapshot', { snapshot, ...(record ? { record } : {}) });
  }
}

import { parseDurationSeconds } from '../core/duration.ts';
import { toSandboxerError } from '../core/errors.ts';
import type { SandboxRecord } from '../core/record.ts';
import {
  addEstimate,
  assertExtendable,
  assertWithinMax,
  extendedExpiry,
  reserveExtension,
} from './extend.ts';
import type { ExtensionGateway } from './gateway.ts';
import type { Lifecycle } from './lifecycle.ts';
import { pick, type DestroyOptions } from './options.ts';

export interface ExtendResult {
  record: SandboxRecord;
  pushed: boolean;
  note?: string;
}

/** A sandbox's lifetime: extend-ttl (money first, then the record, then the backend) and expiry. */
export class Ttl {
  constructor(
    private readonly deps: {
      lifecycle: Lifecycle;
      gateway: ExtensionGateway;
      list: (states: SandboxRecord['state'][]) => Promise<SandboxRecord[]>;
      destroy: (id: string, opts: DestroyOptions) => Promise<SandboxRecord>;
    },
  ) {}

  async extend(id: string, duration: string): Promise<ExtendResult> {
    const { lifecycle, gateway } = this.deps;
    const add_s = parseDurationSeconds(duration, 'duration'); // a usage error before anything is read
    const record = assertExtendable(await lifecycle.get(id));
    const profile = gateway.profileOrUndefined(record.profile_id);
    const { ext, manifest } = gateway.extensionFor(record);
    // Capability, lifetime and money first (credits hold the added time like a create's estimate): a refusal
    // changes nothing.
    const ctx = {
      bus: lifecycle.bus,
      record,
      profile,
      manifest,
      ext,
      add_s,
      duration,
      now: lifecycle.nowMs(),
    };
    const extra = await reserveExtension(ctx);
    // The read-modify-write happens inside the store's serialised update: concurrent extends add up.
    const updated = await lifecycle.update(id, (r) => {
      assertExtendable(r);
      const expires_at = extendedExpiry(r, add_s, lifecycle.nowMs());
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
    if (!ext.extendTtl || !manifest.capabilities.extend_ttl) {
      const note = `${manifest.id} cannot extend a running sandbox's lifetime (not supported by this backend); the new expiry is recorded and enforced by 'sandboxer expire' and reap-stale only`;
      return { record: updated, pushed: false, note };
    }
    const secrets = await gateway.secrets(manifest, profile);
    const fromNow_s = Math.ceil((Date.parse(expires_at) - lifecycle.nowMs()) / 1000);
    await gateway.onSandbox(manifest, updated, secrets, { ms: 60_000 }, (c) =>
      ext.extendTtl!(c, expires_at, fromNow_s),
    );
    return { record: updated, pushed: true };
  }

  /** Live sandboxes whose TTL has lapsed. With apply, each is torn down and ends `expired`. */
  async expire(
    opts: { apply?: boolean; signal?: AbortSignal } = {},
  ): Promise<{ expired: SandboxRecord[]; errors: { id: string; error: string }[] }> {
    const now = this.deps.lifecycle.nowMs();
    const due = (await this.deps.list(['ready', 'provisioning', 'destroying'])).filter(
      (r) => r.expires_at && Date.parse(r.expires_at) <= now,
    );
    if (!opts.apply) return { expired: due, errors: [] };
    const expired: SandboxRecord[] = [];
    const errors: { id: string; error: string }[] = [];
    for (const r of due) {
      try {
        expired.push(await this.deps.destroy(r.id, { reason: 'ttl', ...pick(opts, 'signal') }));
      } catch (err) {
        errors.push({ id: r.id, error: toSandboxerError(err).message });
      }
    }
    return { expired, errors };
  }
}

import { isTerminal } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import { SandboxerError, toSandboxerError } from '../core/errors.ts';
import type { SandboxRecord, SandboxState } from '../core/record.ts';
import type { ExtensionGateway } from './gateway.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { DestroyOptions } from './options.ts';

/** Destroy: `destroying` persisted first, then the backend teardown under its bound, then the final state. */
export class Teardown {
  constructor(private readonly deps: { lifecycle: Lifecycle; gateway: ExtensionGateway; log: Logger }) {}

  async destroy(id: string, opts: DestroyOptions = {}): Promise<SandboxRecord> {
    const { lifecycle, gateway } = this.deps;
    let record = await lifecycle.get(id);
    if (record.state === 'destroyed' || record.state === 'expired') return record;
    if (record.state === 'failed' && !record.cleanup_pending) return record;
    if (record.state === 'requested') {
      // Nothing was made yet (the creator died before provisioning started).
      return lifecycle.transition(id, 'failed', {
        reason: historyReason(opts, 'destroyed before provisioning'),
        patch: (r) => ({
          ...r,
          error: { code: 'cancelled', message: 'destroyed before provisioning' },
          ...(opts.requestedBy ? { teardown_requested_by: opts.requestedBy } : {}),
        }),
      });
    }
    const { ext, manifest } = gateway.extensionFor(record);
    const profile = gateway.profileOrUndefined(record.profile_id);
    const wasFailed = record.state === 'failed';
    if (record.state !== 'destroying') {
      try {
        record = await lifecycle.transition(id, 'destroying', {
          reason: historyReason(opts),
          patch: (r) => ({ ...r, ...(opts.requestedBy ? { teardown_requested_by: opts.requestedBy } : {}) }),
        });
      } catch (err) {
        // Another process finished the teardown between our read and our write: that is success.
        const current = await lifecycle.get(id);
        if (isTerminal(current.state) && !current.cleanup_pending) return current;
        throw err;
      }
    }
    await opts.onDestroying?.(record);
    const secrets = await gateway.secrets(manifest, profile, opts.signal);
    try {
      const bound = { ms: gateway.teardownTimeout_s * 1000, signal: opts.signal };
      await this.deps.log.group(`teardown ${id} on ${manifest.id}`, () =>
        gateway.onSandbox(manifest, record, secrets, bound, (ctx) => ext.teardown(ctx)),
      );
    } catch (err) {
      const e = toSandboxerError(err);
      await lifecycle.update(id, (r) => ({
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
    const settled = await lifecycle.get(id);
    if (settled.state !== final && isTerminal(settled.state) && !settled.cleanup_pending) return settled;
    await lifecycle.transition(id, final, {
      reason: historyReason(opts),
      patch: (r) => ({
        ...r,
        destroyed_at: r.destroyed_at ?? lifecycle.now(),
        cleanup_pending: wasFailed ? false : r.cleanup_pending,
        ...lifecycle.meterPatch(r, manifest, ext),
      }),
    });
    await lifecycle.settle(id, manifest);
    return lifecycle.get(id);
  }
}

function historyReason(opts: DestroyOptions, fallback?: string): string {
  const base = fallback ?? opts.reason ?? 'user';
  return opts.detail ? `${opts.reason ?? base}: ${opts.detail}` : base;
}

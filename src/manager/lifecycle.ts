import type { ExtensionManifest } from '../catalog/schema.ts';
import type { Clock } from '../core/clock.ts';
import { sandboxNotFound, SandboxerError } from '../core/errors.ts';
import { assertTransition } from '../core/lifecycle.ts';
import type { SandboxRecord, SandboxState } from '../core/record.ts';
import type { Extension } from '../extensions/contract.ts';
import type { StateStore } from '../state/store.ts';
import type { HookBus } from './hook-bus.ts';

/** A sandbox's record, or the not-found error every caller shows. */
export async function getRecord(store: Pick<StateStore, 'getSandbox'>, id: string): Promise<SandboxRecord> {
  const r = await store.getSandbox(id);
  if (!r) throw sandboxNotFound(id);
  return r;
}

export interface TransitionOptions {
  reason?: string | undefined;
  patch?: (r: SandboxRecord) => SandboxRecord;
}

/**
 * The single writer of a sandbox's `state` (the machine is src/core/lifecycle.ts). Every transition is persisted
 * before the backend is touched, inside the store's atomic update, so two processes racing on one sandbox cannot
 * both make the same transition; the hook bus (events, meters, ledger) fans out after each persisted transition.
 * Other modules change a record's other fields through `update`, which refuses a state change.
 */
export class Lifecycle {
  constructor(
    private readonly store: StateStore,
    readonly bus: HookBus,
    private readonly clock: Clock,
  ) {}

  now(): string {
    return this.clock.now().toISOString();
  }

  nowMs(): number {
    return this.clock.now().getTime();
  }

  get(id: string): Promise<SandboxRecord> {
    return getRecord(this.store, id);
  }

  /** Persist a new record (state `requested`) and announce it. */
  async begin(record: SandboxRecord): Promise<SandboxRecord> {
    await this.store.createSandbox(record);
    await this.bus.notify('onTransition', { record, from: null, to: 'requested' });
    return record;
  }

  /** Change fields other than `state` (handle, placement, route outcomes, estimates). */
  async update(id: string, fn: (r: SandboxRecord) => SandboxRecord): Promise<SandboxRecord> {
    return this.store.updateSandbox(id, (r) => {
      const next = fn(r);
      if (next.state !== r.state)
        throw new SandboxerError('internal', `sandbox ${id}: state changes go through Lifecycle.transition`);
      return next;
    });
  }

  /** The only write path for `state`; a repeat of the current state is a no-op (the patch still applies). */
  async transition(id: string, to: SandboxState, opts: TransitionOptions = {}): Promise<SandboxRecord> {
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
    if (from !== to) await this.bus.notify('onTransition', { record, from, to });
    return record;
  }

  /** Meter once, when the record reaches a terminal state after a backend object existed. */
  meterPatch(r: SandboxRecord, manifest: ExtensionManifest, ext: Extension): Partial<SandboxRecord> {
    if (r.meter || manifest.pricing.model !== 'metered' || Object.keys(r.handle).length === 0) return {};
    return { meter: ext.meterActual({ sandbox: r, manifest, ended_at: this.now() }) };
  }

  /** A terminal record reached: the ledger and exports settle it (best effort). */
  async settle(id: string, manifest: ExtensionManifest): Promise<void> {
    await this.bus.notify('onSettled', { record: await this.get(id), manifest });
  }
}

import { toSandboxerError } from '../core/errors.ts';
import { isProcessProvisioner } from '../core/local-process.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import type { SandboxRecord } from '../core/record.ts';
import type { SandboxManager } from '../manager/manager.ts';
import type { Coordinator } from '../state/replicas/coordinator.ts';
import { REAP_LOG, REAPER, type ReapAction } from './reap.ts';

/** A record is closed once its replica has been seen gone on this many consecutive passes (a session that
 *  blinks for less than one interval costs nothing). */
export const ABANDON_CONFIRMATIONS = 2;

const inProvision = (r: SandboxRecord) => r.state === 'requested' || r.state === 'provisioning';

/**
 * Provisions whose `serve` replica is gone (killed, its machine lost): the replica that started them wrote its id
 * into the record (record.provisioner) and is alive while its coordination session is. Each such record seen on
 * `ABANDON_CONFIRMATIONS` consecutive passes is torn down through the normal destroy path — the backend object
 * the provision saved in its handle is removed, the meter is taken, the ledger settled and the usage record
 * queued — and the action is logged in the reaper collection. `suspects` carries the count between passes.
 * Records of CLI creates (a `process:` provisioner) are judged by reap-stale's record pass (classifyRecord).
 */
export async function reapAbandonedProvisions(
  manager: SandboxManager,
  coordinator: Coordinator,
  suspects: Map<string, number>,
  /** signal: stop before the next record (a teardown already started runs to its end). */
  opts: { log?: Logger; signal?: AbortSignal; confirmations?: number } = {},
): Promise<ReapAction[]> {
  const log = opts.log ?? silentLogger;
  const need = opts.confirmations ?? ABANDON_CONFIRMATIONS;
  const store = manager.store;
  const live = store.listLiveSandboxes
    ? await store.listLiveSandboxes()
    : (await store.listSandboxes()).filter(inProvision);
  // Replicas only: a create by a CLI process (`process:` provisioner) is judged by the record pass (stale.ts).
  const open = live.filter(
    (r) =>
      inProvision(r) &&
      r.provisioner &&
      !isProcessProvisioner(r.provisioner) &&
      r.provisioner !== coordinator.replica,
  );
  const alive = await coordinator.alive([...new Set(open.map((r) => r.provisioner!))]);
  const gone = open.filter((r) => !alive.has(r.provisioner!));
  const seen = new Map(gone.map((r) => [r.id, (suspects.get(r.id) ?? 0) + 1]));
  suspects.clear();
  const actions: ReapAction[] = [];
  for (const r of gone) {
    const count = seen.get(r.id)!;
    if (count < need) {
      suspects.set(r.id, count);
      continue;
    }
    if (opts.signal?.aborted) break;
    const reason = `its replica ${r.provisioner} is gone`;
    const base = {
      kind: 'abandoned' as const,
      extension_id: r.extension_id,
      sandbox_id: r.id,
      state: r.state,
      revision: r.revision,
      reason,
    };
    let action: ReapAction;
    try {
      const final = await manager.destroy(r.id, {
        reason: 'reap',
        detail: reason,
        requestedBy: REAPER, // no signal: a teardown once started is never cut short (it would leak)
      });
      action = { ...base, outcome: 'done', at: new Date().toISOString(), final_state: final.state };
      log.info(`reaper: ${r.id} was ${r.state} on a replica that is gone: now ${final.state}`);
    } catch (err) {
      const message = toSandboxerError(err).message;
      action = { ...base, outcome: 'error', at: new Date().toISOString(), error: message };
      suspects.set(r.id, count); // retried on the next pass
      log.warn(`reaper: ${r.id} (abandoned by ${r.provisioner}): ${message}`);
    }
    actions.push(action);
    await store
      .appendOnce(REAP_LOG, `${action.at}-${process.pid}-abandoned-${r.id}`, action)
      .catch((err: unknown) => log.warn(`reaper log: ${toSandboxerError(err).message}`));
    await manager.announceReaped(action);
  }
  return actions;
}

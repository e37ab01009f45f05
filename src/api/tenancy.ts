import { sandboxNotFound, snapshotNotFound } from '../core/errors.ts';
import type { Caller, SandboxRecord, SnapshotRecord } from '../core/record.ts';
import type { SandboxManager } from '../manager/manager.ts';
import type { ApiCaller } from './auth.ts';

/**
 * Who sees what over HTTP: a caller sees the sandboxes created by callers of its own scope (record.caller.scope);
 * an admin sees every one, CLI-made records (no caller) included. Anything else answers exactly as a sandbox that
 * does not exist (404), so another scope's ids are not revealed.
 */
export const visibleTo = (caller: ApiCaller, record: { caller?: Caller | undefined } | undefined): boolean =>
  record !== undefined && (caller.admin || record.caller?.scope === caller.scope);

/** What a record made for this caller carries (record.caller). */
export const recordedCaller = (caller: ApiCaller): Caller => ({ id: caller.id, scope: caller.scope });

/** The sandbox `id` if this caller may see it; otherwise the not-found error of a missing one. */
export async function ownSandbox(
  manager: SandboxManager,
  caller: ApiCaller,
  id: string,
): Promise<SandboxRecord> {
  const record = await manager.store.getSandbox(id);
  if (!record || !visibleTo(caller, record)) throw sandboxNotFound(id);
  return record;
}

/** The snapshot `id` if this caller may see its source sandbox (admins: any); otherwise not found. */
export async function ownSnapshot(
  manager: SandboxManager,
  caller: ApiCaller,
  id: string,
): Promise<SnapshotRecord> {
  const snap = await manager.store.getSnapshot(id);
  if (!snap) throw snapshotNotFound(id);
  if (caller.admin) return snap;
  if (!visibleTo(caller, await manager.store.getSandbox(snap.sandbox_id))) throw snapshotNotFound(id);
  return snap;
}

/** The snapshots of `list` this caller may see (one read per distinct source sandbox). */
export async function ownSnapshots(
  manager: SandboxManager,
  caller: ApiCaller,
  list: SnapshotRecord[],
): Promise<SnapshotRecord[]> {
  if (caller.admin) return list;
  const sources = new Map<string, Promise<boolean>>();
  const visible = (sandboxId: string) => {
    let v = sources.get(sandboxId);
    if (!v) {
      v = manager.store.getSandbox(sandboxId).then((r) => visibleTo(caller, r));
      sources.set(sandboxId, v);
    }
    return v;
  };
  const keep = await Promise.all(list.map((s) => visible(s.sandbox_id)));
  return list.filter((_, i) => keep[i]);
}

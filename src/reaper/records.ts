import type { SandboxRecord } from '../core/record.ts';
import type { StateStore } from '../state/store.ts';
import { objectSandboxId } from './classify.ts';
import type { BackendObject } from '../extensions/contract.ts';

/**
 * The records a reap pass judges: the live ones (not terminal, or cleanup pending) from the store's index where
 * it has one (SQL stores), so a pass does not read the whole history every interval; else every record.
 * Nothing the pass acts on is lost: settled records only ever explain why an object is an orphan, and those are
 * read one by one for the objects actually listed (recordsOfObjects).
 */
export async function passRecords(store: StateStore): Promise<SandboxRecord[]> {
  return store.listLiveSandboxes ? store.listLiveSandboxes() : store.listSandboxes();
}

/** Adds to `records` the stored record of each listed object not in it yet; returns how many were read. */
export async function recordsOfObjects(
  store: StateStore,
  objects: BackendObject[],
  records: Map<string, SandboxRecord>,
): Promise<number> {
  const missing = [...new Set(objects.map(objectSandboxId))].filter(
    (sid): sid is string => sid !== undefined && !records.has(sid),
  );
  let read = 0;
  for (const sid of missing) {
    const r = await store.getSandbox(sid).catch(() => undefined);
    if (r) {
      records.set(sid, r);
      read++;
    }
  }
  return read;
}

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SandboxRecord } from '../core/record.ts';
import { FileStateStore } from './file/file-store.ts';
import { FILE_IMPORT_META } from './open.ts';
import type { StateStore } from './store.ts';

export interface ImportResult {
  from: string;
  to: string;
  sandboxes: { imported: number; updated: number; unchanged: number };
  snapshots: number;
  entries: { imported: number; unchanged: number };
}

export interface SqlStore extends StateStore {
  putSandboxIfNewer(record: SandboxRecord): Promise<boolean>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
}

/**
 * Copy a file store's state (sandbox and snapshot records, every collection: ledger, outbox, latency samples)
 * into a SQL store. Idempotent: a record already there is replaced only when the file's revision is newer (the
 * file store was used again, with SANDBOXER_STATE_BACKEND=file), collection entries are append-once, so a
 * second run imports nothing and an interrupted run is finished by the next. The file store is left as it is.
 */
export async function importFileState(dir: string, target: SqlStore): Promise<ImportResult> {
  const source = new FileStateStore(dir);
  const result: ImportResult = {
    from: dir,
    to: target.location,
    sandboxes: { imported: 0, updated: 0, unchanged: 0 },
    snapshots: 0,
    entries: { imported: 0, unchanged: 0 },
  };
  for (const record of await source.listSandboxes()) {
    const existed = (await target.getSandbox(record.id)) !== undefined;
    const written = await target.putSandboxIfNewer(record);
    if (!written) result.sandboxes.unchanged++;
    else if (existed) result.sandboxes.updated++;
    else result.sandboxes.imported++;
  }
  for (const snap of await source.listSnapshots()) {
    await target.putSnapshot(snap);
    result.snapshots++;
  }
  for (const collection of await collections(dir)) {
    for (const { key, value } of await source.readCollection(collection)) {
      if (await target.appendOnce(collection, key, value)) result.entries.imported++;
      else result.entries.unchanged++;
    }
  }
  await target.setMeta(FILE_IMPORT_META, JSON.stringify({ from: dir, at: new Date().toISOString() }));
  return result;
}

async function collections(dir: string): Promise<string[]> {
  try {
    return (await readdir(join(dir, 'collections'), { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

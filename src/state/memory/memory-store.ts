import { notFound, SandboxerError } from '../../core/errors.ts';
import { SandboxRecord, SnapshotRecord } from '../../core/record.ts';
import { assertCollectionKey, type StateStore } from '../store.ts';

/** The order every store lists in: creation time, then id. */
const byCreation = <T extends { id: string; created_at: string }>(rows: T[]): T[] =>
  rows.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));

/** In-process store: for tests, the HTTP API's ephemeral mode and `state-store: none` in the action. */
export class MemoryStateStore implements StateStore {
  readonly kind = 'memory';
  readonly location = 'memory';
  private readonly sandboxes = new Map<string, SandboxRecord>();
  private readonly snapshots = new Map<string, SnapshotRecord>();
  private readonly collections = new Map<string, Map<string, unknown>>();
  private chain: Promise<unknown> = Promise.resolve();

  async createSandbox(record: SandboxRecord): Promise<void> {
    if (this.sandboxes.has(record.id))
      throw new SandboxerError('conflict', `sandbox ${record.id} already exists`);
    this.sandboxes.set(record.id, structuredClone(SandboxRecord.parse(record)));
  }
  async getSandbox(id: string) {
    const r = this.sandboxes.get(id);
    return r && structuredClone(r);
  }
  async listSandboxes() {
    return byCreation([...this.sandboxes.values()]).map((r) => structuredClone(r));
  }
  updateSandbox(id: string, fn: (current: SandboxRecord) => SandboxRecord): Promise<SandboxRecord> {
    const run = this.chain.then(() => {
      const current = this.sandboxes.get(id);
      if (!current) throw notFound('sandbox', id);
      const next = SandboxRecord.parse({ ...fn(structuredClone(current)), revision: current.revision + 1 });
      this.sandboxes.set(id, next);
      return structuredClone(next);
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
  async putSnapshot(record: SnapshotRecord) {
    this.snapshots.set(record.id, structuredClone(SnapshotRecord.parse(record)));
  }
  async getSnapshot(id: string) {
    const r = this.snapshots.get(id);
    return r && structuredClone(r);
  }
  async listSnapshots() {
    return byCreation([...this.snapshots.values()]).map((r) => structuredClone(r));
  }
  async appendOnce(collection: string, key: string, value: unknown) {
    assertCollectionKey(collection, key);
    const c = this.collections.get(collection) ?? new Map<string, unknown>();
    this.collections.set(collection, c);
    if (c.has(key)) return false;
    c.set(key, structuredClone(value));
    return true;
  }
  async readCollection(collection: string) {
    assertCollectionKey(collection);
    return [...(this.collections.get(collection) ?? new Map()).entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => ({ key, value: structuredClone(value) }));
  }
  async removeFromCollection(collection: string, key: string) {
    assertCollectionKey(collection, key);
    this.collections.get(collection)?.delete(key);
  }
}

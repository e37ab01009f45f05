import { notFound, SandboxerError } from '../../core/errors.ts';
import { SandboxRecord, SnapshotRecord } from '../../core/record.ts';
import {
  assertCollectionKey,
  claimArgs,
  claimToken,
  type Claim,
  type ClaimHolder,
  type ClaimOptions,
  type StateStore,
} from '../store.ts';

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
  /** collection → key → claim; a claim whose lease passed is as good as none. */
  private readonly claims = new Map<string, Map<string, { token: string; owner: string; until: number }>>();
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
    return this.entries(collection);
  }
  private entries(collection: string): { key: string; value: unknown }[] {
    assertCollectionKey(collection);
    return [...(this.collections.get(collection) ?? new Map<string, unknown>()).entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => ({ key, value: structuredClone(value) }));
  }
  async removeFromCollection(collection: string, key: string) {
    assertCollectionKey(collection, key);
    this.collections.get(collection)?.delete(key);
    this.claims.get(collection)?.delete(key);
  }
  async getEntry(collection: string, key: string) {
    assertCollectionKey(collection, key);
    const c = this.collections.get(collection);
    return c?.has(key) ? structuredClone(c.get(key)) : undefined;
  }
  /** Synchronous from check to mark: nothing else in the process runs between them. */
  async claimEntries(collection: string, opts: ClaimOptions): Promise<Claim[]> {
    const a = claimArgs(collection, opts);
    const now = Date.now();
    const held =
      this.claims.get(collection) ?? new Map<string, { token: string; owner: string; until: number }>();
    this.claims.set(collection, held);
    const out: Claim[] = [];
    for (const { key, value } of this.entries(collection)) {
      if (out.length >= a.limit) break;
      if ((a.keys && !a.keys.has(key)) || a.skip.has(key) || (held.get(key)?.until ?? 0) > now) continue;
      const claim = { token: claimToken(), owner: a.owner, until: now + a.leaseMs };
      held.set(key, claim);
      out.push({ key, value, token: claim.token, expires_at: new Date(claim.until).toISOString() });
    }
    return out;
  }
  async releaseClaim(collection: string, key: string, token: string) {
    assertCollectionKey(collection, key);
    const held = this.claims.get(collection);
    const c = held?.get(key);
    if (c?.token !== token) return false;
    held!.delete(key);
    return true;
  }
  async listClaims(collection: string): Promise<ClaimHolder[]> {
    assertCollectionKey(collection);
    const now = Date.now();
    return [...(this.claims.get(collection) ?? new Map()).entries()]
      .filter(([, c]) => c.until > now)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, c]) => ({
        key,
        token: c.token,
        owner: c.owner,
        expires_at: new Date(c.until).toISOString(),
      }));
  }
}

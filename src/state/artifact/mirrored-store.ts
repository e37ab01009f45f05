import { SANDBOX_ID_RE } from '../../core/ids.ts';
import { toSandboxerError } from '../../core/errors.ts';
import { isTerminal } from '../../core/lifecycle.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import type { SandboxRecord, SnapshotRecord } from '../../core/record.ts';
import type { Claim, ClaimHolder, ClaimOptions, StateStore } from '../store.ts';

/** Where a mirrored store keeps its copy of each record (one per sandbox). */
export interface RecordMirror {
  readonly kind: string;
  /** Store the record; `replace` says a copy was stored before. */
  put(record: SandboxRecord, replace: boolean): Promise<unknown>;
  /** The record has reached a terminal state: drop (or tombstone) its copy. */
  retire(record: SandboxRecord): Promise<unknown>;
  find(sandboxId: string): Promise<{ record: SandboxRecord } | undefined>;
}

/**
 * The job's state store in GitHub Actions. Reads and writes go to a local store on the runner (fast, atomic,
 * locked); every sandbox record is mirrored (one workflow artifact per sandbox, or a cache entry) so other jobs
 * (teardown-sandbox) and later runs (reap-stale) can find it when this runner is gone. A terminal record's
 * artifact is deleted.
 *
 * Mirroring is write-behind and coalescing: the lifecycle never waits on the remote service (the provider
 * call is not delayed), at most one upload per sandbox is in flight, and intermediate revisions are skipped.
 * Callers `flush()` before the step ends. Mirroring failures are logged, not thrown: the backend's ownership
 * labels still let reap-stale find the sandbox.
 * Collections (ledger, outbox) and snapshots stay in the local store: they live as long as the job.
 */
export class MirroredStateStore implements StateStore {
  readonly kind: string;
  readonly location: string;
  private readonly latest = new Map<string, SandboxRecord>();
  private readonly synced = new Map<string, { revision: number; uploaded: boolean }>();
  private readonly workers = new Map<string, Promise<void>>();
  private readonly pinned = new Set<string>();
  /** Ids whose copy must be written again even at the same revision (pinned after being retired). */
  private readonly dirty = new Set<string>();
  private readonly wake = new Set<() => void>();
  private flushing = false;
  readonly errors: string[] = [];

  constructor(
    private readonly local: StateStore,
    private readonly remote: RecordMirror,
    private readonly log: Logger = silentLogger,
    private readonly opts: { delayMs?: number } = {},
  ) {
    this.kind = remote.kind;
    this.location = `${remote.kind} (local copy: ${local.location})`;
  }

  private schedule(record: SandboxRecord): void {
    this.latest.set(record.id, record);
    if (this.workers.has(record.id)) return;
    // The worker removes itself in the same tick as its last check, so a write never slips between the two.
    this.workers.set(
      record.id,
      this.settle().then(() => this.drain(record.id)),
    );
  }

  /**
   * The first copy of a sandbox waits a moment (or until `flush`): the revisions written on the way to the
   * provider call coalesce into one upload, and loading the remote client does not delay that call.
   */
  private settle(): Promise<void> {
    if (this.flushing || this.opts.delayMs === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, this.opts.delayMs ?? 300);
      this.wake.add(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private async drain(id: string): Promise<void> {
    for (;;) {
      const record = this.latest.get(id)!;
      const done = this.synced.get(id);
      if (done && done.revision >= record.revision && !this.dirty.has(id)) {
        this.workers.delete(id);
        return;
      }
      this.dirty.delete(id);
      try {
        if (isTerminal(record.state) && !record.cleanup_pending && !this.pinned.has(id)) {
          await this.remote.retire(record);
          this.synced.set(id, { revision: record.revision, uploaded: false });
        } else {
          await this.remote.put(record, done?.uploaded ?? false);
          this.synced.set(id, { revision: record.revision, uploaded: true });
        }
      } catch (err) {
        const msg = `state ${this.kind} for ${id}: ${toSandboxerError(err).message}`;
        this.errors.push(msg);
        this.log.warn(msg);
        // Keep what the service holds unknown-but-present so the next attempt replaces rather than duplicates.
        this.synced.set(id, { revision: record.revision, uploaded: true });
      }
    }
  }

  /**
   * Keep a terminal record's copy (instead of dropping it) because something is still owed on it, e.g. a usage
   * record fin-hub has not acknowledged: reap-stale finds the copy and replays the export.
   */
  async pin(id: string): Promise<void> {
    const record = await this.local.getSandbox(id);
    if (!record) return;
    this.pinned.add(id);
    this.dirty.add(id);
    this.schedule(record);
  }

  /** Wait until every record written so far is mirrored (or has failed to be). */
  async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.workers.size > 0) {
        for (const w of this.wake) w();
        this.wake.clear();
        await Promise.all([...this.workers.values()]);
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Take a record found elsewhere (another job's artifact) into the local store without re-uploading it. */
  async adopt(record: SandboxRecord, uploaded = true): Promise<void> {
    if (!(await this.local.getSandbox(record.id))) await this.local.createSandbox(record);
    this.synced.set(record.id, { revision: record.revision, uploaded });
  }

  async createSandbox(record: SandboxRecord): Promise<void> {
    await this.local.createSandbox(record);
    this.schedule(record);
  }

  async getSandbox(id: string): Promise<SandboxRecord | undefined> {
    const mine = await this.local.getSandbox(id);
    if (mine) return mine;
    if (!SANDBOX_ID_RE.test(id)) return undefined;
    const found = await this.remote.find(id);
    if (!found) return undefined;
    await this.adopt(found.record);
    return this.local.getSandbox(id);
  }

  listSandboxes(): Promise<SandboxRecord[]> {
    return this.local.listSandboxes();
  }

  async updateSandbox(id: string, fn: (current: SandboxRecord) => SandboxRecord): Promise<SandboxRecord> {
    await this.getSandbox(id); // local first; adopts the artifact copy when only that exists
    const next = await this.local.updateSandbox(id, fn);
    this.schedule(next);
    return next;
  }

  putSnapshot(record: SnapshotRecord): Promise<void> {
    return this.local.putSnapshot(record);
  }
  getSnapshot(id: string): Promise<SnapshotRecord | undefined> {
    return this.local.getSnapshot(id);
  }
  listSnapshots(): Promise<SnapshotRecord[]> {
    return this.local.listSnapshots();
  }
  appendOnce(collection: string, key: string, value: unknown): Promise<boolean> {
    return this.local.appendOnce(collection, key, value);
  }
  readCollection(collection: string): Promise<{ key: string; value: unknown }[]> {
    return this.local.readCollection(collection);
  }
  removeFromCollection(collection: string, key: string): Promise<void> {
    return this.local.removeFromCollection(collection, key);
  }
  getEntry(collection: string, key: string): Promise<unknown> {
    return this.local.getEntry(collection, key);
  }
  claimEntries(collection: string, opts: ClaimOptions): Promise<Claim[]> {
    return this.local.claimEntries(collection, opts);
  }
  releaseClaim(collection: string, key: string, token: string): Promise<boolean> {
    return this.local.releaseClaim(collection, key, token);
  }
  listClaims(collection: string): Promise<ClaimHolder[]> {
    return this.local.listClaims(collection);
  }
}

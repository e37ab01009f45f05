import { SANDBOX_ID_RE, SNAPSHOT_ID_RE } from '../../core/ids.ts';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type * as z from 'zod';
import { notFound, SandboxerError } from '../../core/errors.ts';
import { SandboxRecord, SnapshotRecord } from '../../core/record.ts';
import {
  assertCollectionKey,
  claimArgs,
  scopeIdOf,
  type Claim,
  type ClaimHolder,
  type ClaimOptions,
  type StateStore,
} from '../store.ts';
import { writeFileAtomic, writeFileExclusive } from './atomic.ts';
import { FileClaims } from './claims.ts';
import { withFileLock } from './lock.ts';

/**
 * One JSON file per record (`sandboxes/<id>.json`), so concurrent creates never contend; updates of one record
 * are serialised by a per-record lock file. Collections are directories of immutable, exclusively created files.
 */
export class FileStateStore implements StateStore {
  readonly kind = 'file';
  readonly location: string;
  /** The resolved directory's digest: the same directory, the same scope. */
  readonly scopeId: string;
  private ready: Promise<void> | undefined;
  private readonly claims: FileClaims;

  constructor(readonly dir: string) {
    this.location = dir;
    this.claims = new FileClaims(dir);
    this.scopeId = scopeIdOf('fs', resolve(dir));
  }

  private init(): Promise<void> {
    this.ready ??= (async () => {
      for (const d of ['sandboxes', 'snapshots', 'locks', 'collections']) {
        await mkdir(join(this.dir, d), { recursive: true, mode: 0o700 });
      }
    })();
    return this.ready;
  }

  private async readJson<S extends z.ZodTypeAny>(file: string, schema: S): Promise<z.infer<S> | undefined> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new SandboxerError('state_store', `state file ${file} is not valid JSON`, {
        hint: 'it was edited by hand or the disk is damaged; move it aside to continue',
      });
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new SandboxerError(
        'state_store',
        `state file ${file}: ${issue.path.join('.')}: ${issue.message}`,
        {
          hint: 'this state was written by an incompatible version or edited by hand; move it aside to continue',
        },
      );
    }
    return parsed.data;
  }

  private sandboxFile(id: string): string {
    if (!SANDBOX_ID_RE.test(id)) throw notFound('sandbox', id);
    return join(this.dir, 'sandboxes', `${id}.json`);
  }

  async createSandbox(record: SandboxRecord): Promise<void> {
    await this.init();
    const ok = await writeFileExclusive(
      this.sandboxFile(record.id),
      JSON.stringify(SandboxRecord.parse(record), null, 2),
    );
    if (!ok) throw new SandboxerError('conflict', `sandbox ${record.id} already exists`);
  }

  async getSandbox(id: string): Promise<SandboxRecord | undefined> {
    await this.init();
    if (!SANDBOX_ID_RE.test(id)) return undefined;
    return this.readJson(this.sandboxFile(id), SandboxRecord);
  }

  async listSandboxes(): Promise<SandboxRecord[]> {
    return this.listDir('sandboxes', SandboxRecord);
  }

  private async listDir<S extends z.ZodTypeAny>(sub: string, schema: S): Promise<z.infer<S>[]> {
    await this.init();
    const names = (await readdir(join(this.dir, sub))).filter((n) => n.endsWith('.json'));
    const out: z.infer<S>[] = [];
    for (const n of names) {
      const r = await this.readJson(join(this.dir, sub, n), schema);
      if (r) out.push(r);
    }
    const key = (r: unknown) => r as { id: string; created_at: string };
    return out.sort(
      (a, b) => key(a).created_at.localeCompare(key(b).created_at) || key(a).id.localeCompare(key(b).id),
    );
  }

  async updateSandbox(id: string, fn: (current: SandboxRecord) => SandboxRecord): Promise<SandboxRecord> {
    await this.init();
    const file = this.sandboxFile(id);
    return withFileLock(join(this.dir, 'locks', `${id}.lock`), async () => {
      const current = await this.readJson(file, SandboxRecord);
      if (!current) throw notFound('sandbox', id);
      const next = SandboxRecord.parse({ ...fn(current), revision: current.revision + 1 });
      await writeFileAtomic(file, JSON.stringify(next, null, 2));
      return next;
    });
  }

  async putSnapshot(record: SnapshotRecord): Promise<void> {
    await this.init();
    await writeFileAtomic(
      join(this.dir, 'snapshots', `${record.id}.json`),
      JSON.stringify(SnapshotRecord.parse(record), null, 2),
    );
  }

  async getSnapshot(id: string): Promise<SnapshotRecord | undefined> {
    await this.init();
    if (!SNAPSHOT_ID_RE.test(id)) return undefined;
    return this.readJson(join(this.dir, 'snapshots', `${id}.json`), SnapshotRecord);
  }

  async listSnapshots(): Promise<SnapshotRecord[]> {
    return this.listDir('snapshots', SnapshotRecord);
  }

  private collectionDir(collection: string): string {
    assertCollectionKey(collection);
    return join(this.dir, 'collections', collection);
  }

  async appendOnce(collection: string, key: string, value: unknown): Promise<boolean> {
    await this.init();
    assertCollectionKey(collection, key);
    const dir = this.collectionDir(collection);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return writeFileExclusive(join(dir, `${key}.json`), JSON.stringify(value));
  }

  /** The keys of a collection, in order (a missing collection has none). */
  private async keysOf(collection: string): Promise<string[]> {
    await this.init();
    try {
      return (await readdir(this.collectionDir(collection)))
        .filter((n) => n.endsWith('.json'))
        .map((n) => n.slice(0, -5))
        .sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  /** One entry; `found: false` when it is not there (or was removed while we looked). */
  private async entry(collection: string, key: string): Promise<{ found: boolean; value?: unknown }> {
    try {
      const text = await readFile(join(this.collectionDir(collection), `${key}.json`), 'utf8');
      return { found: true, value: JSON.parse(text) as unknown };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { found: false };
      throw err;
    }
  }

  async readCollection(collection: string): Promise<{ key: string; value: unknown }[]> {
    const out: { key: string; value: unknown }[] = [];
    for (const key of await this.keysOf(collection)) {
      const e = await this.entry(collection, key);
      if (e.found) out.push({ key, value: e.value });
    }
    return out;
  }

  async getEntry(collection: string, key: string): Promise<unknown> {
    await this.init();
    assertCollectionKey(collection, key);
    return (await this.entry(collection, key)).value;
  }

  async removeFromCollection(collection: string, key: string): Promise<void> {
    await this.init();
    assertCollectionKey(collection, key);
    await rm(join(this.collectionDir(collection), `${key}.json`), { force: true });
    await this.claims.drop(collection, key);
  }

  async claimEntries(collection: string, opts: ClaimOptions): Promise<Claim[]> {
    const a = claimArgs(collection, opts);
    const keys = (await this.keysOf(collection)).filter((k) => (!a.keys || a.keys.has(k)) && !a.skip.has(k));
    return this.claims.claim(collection, keys, a, (key) => this.entry(collection, key));
  }

  async releaseClaim(collection: string, key: string, token: string): Promise<boolean> {
    await this.init();
    assertCollectionKey(collection, key);
    return this.claims.release(collection, key, token);
  }

  async listClaims(collection: string): Promise<ClaimHolder[]> {
    await this.init();
    assertCollectionKey(collection);
    return this.claims.list(collection);
  }
}

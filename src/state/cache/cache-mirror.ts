import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandboxerError } from '../../core/errors.ts';
import { SandboxRecord } from '../../core/record.ts';
import type { RecordMirror } from '../artifact/mirrored-store.ts';

/**
 * Sandbox records in the GitHub Actions cache (`state-store: cache`). Limits, which is why artifacts are the
 * default and the reaper's source of truth:
 * - keys are immutable, so every revision is a new entry `sandboxer-<id>-r<revision>`; a restore takes the
 *   newest entry with the `sandboxer-<id>-` prefix;
 * - entries are scoped to a branch: a run on another branch (a scheduled reaper on the default branch reading a
 *   PR's entries) cannot restore them;
 * - entries idle 7 days are evicted and the repository's cache quota evicts old ones early;
 * - the cache service cannot delete: a terminal record is saved as the last revision (a tombstone).
 * The record file lives at the same path in every job (`<os tmpdir>/sandboxer-cache/<id>.json`, not under
 * RUNNER_TEMP, which differs between runners), because the cache version hashes the paths.
 */
export class CacheMirror implements RecordMirror {
  readonly kind = 'cache';
  private readonly dir: string;

  constructor(dir = join(tmpdir(), 'sandboxer-cache')) {
    this.dir = dir;
  }

  private file(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  private async cache() {
    return import('@actions/cache');
  }

  async put(record: SandboxRecord): Promise<number> {
    const cache = await this.cache();
    await mkdir(this.dir, { recursive: true });
    const file = this.file(record.id);
    await writeFile(file, JSON.stringify(SandboxRecord.parse(record)));
    try {
      // A duplicate key (the same revision saved twice) returns -1 rather than throwing.
      return await cache.saveCache([file], `sandboxer-${record.id}-r${record.revision}`);
    } finally {
      await rm(file, { force: true });
    }
  }

  retire(record: SandboxRecord): Promise<number> {
    return this.put(record);
  }

  async find(sandboxId: string): Promise<{ record: SandboxRecord } | undefined> {
    const cache = await this.cache();
    const file = this.file(sandboxId);
    await mkdir(this.dir, { recursive: true });
    const hit = await cache.restoreCache([file], `sandboxer-${sandboxId}-latest`, [
      `sandboxer-${sandboxId}-`,
    ]);
    if (!hit) return undefined;
    try {
      const parsed = SandboxRecord.safeParse(JSON.parse(await readFile(file, 'utf8')));
      if (!parsed.success)
        throw new SandboxerError('state_store', `cache entry ${hit} does not hold a sandbox record`);
      return { record: parsed.data };
    } finally {
      await rm(file, { force: true });
    }
  }
}

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/loader.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';
import { SandboxManager } from '../../src/manager/manager.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { reapStale } from '../../src/reaper/reap.ts';
import { tempDir } from '../helpers/env.ts';
import { skipReason, testHost } from './host.ts';

/**
 * What a sandbox was created with travels in its handle: a reaper whose environment names another workspace
 * root (or none) still finds a live vm-packer workspace where its record says it is, leaves it alone, and
 * reaps a real orphan under its own root.
 */
const reason = skipReason();
const suite = reason ? describe.skip : describe;

suite(`reap-stale on ext.vm-packer across workspace roots${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const tmp = tempDir('sbx-vm-reap-');
  const catalog = loadCatalog();
  const rootA = join(tmp.dir, 'build-a');
  const rootB = join(tmp.dir, 'build-b');
  const repo = join(tmp.dir, 'repo');
  const manager = (state: string, env: NodeJS.ProcessEnv) =>
    new SandboxManager({
      catalog,
      registry: defaultRegistry(),
      store: new FileStateStore(join(tmp.dir, state)),
      owner: { scope: 'test:vm-reap' },
      env: { ...testHost().env, SANDBOXER_STATE_DIR: join(tmp.dir, state), ...env },
    });
  const create = (m: SandboxManager) =>
    m.create({ profileId: 'profile.vm-haskell-build', inputs: { repo, vm: 'haskell-build' } });

  beforeAll(() => mkdirSync(repo, { recursive: true }));
  afterAll(() => tmp.cleanup());

  it('leaves the live workspace under the creator’s root and reaps the orphan under its own', async () => {
    const creator = manager('state', { SANDBOXER_VM_WORKSPACE_ROOT: rootA });
    const live = await create(creator);
    expect(live.handle.workspace_root).toBe(rootA);
    // An object whose record lives in another store: an orphan, under the root the reaper's env names.
    const lost = await create(manager('lost', { SANDBOXER_VM_WORKSPACE_ROOT: rootB }));

    for (const env of [{ SANDBOXER_VM_WORKSPACE_ROOT: rootB }, {}]) {
      const reaper = manager('state', env);
      const report = await reapStale(reaper, {
        apply: true,
        minOrphanAge_s: 0,
        extensions: ['ext.vm-packer'],
        replayOutbox: false,
      });
      expect(report.actions.filter((a) => a.sandbox_id === live.id)).toEqual([]);
      expect((await reaper.get(live.id)).state).toBe('ready');
      expect(existsSync(String(live.handle.workspace))).toBe(true);
      if ('SANDBOXER_VM_WORKSPACE_ROOT' in env) {
        expect(report.actions).toEqual([
          expect.objectContaining({ sandbox_id: lost.id, kind: 'orphaned', outcome: 'done' }),
        ]);
      }
    }
    expect(existsSync(String(lost.handle.workspace))).toBe(false);
    expect(existsSync(join(rootB, '.sandboxer', `${lost.id}.json`))).toBe(false);
    await creator.destroy(live.id);
    expect(existsSync(String(live.handle.workspace))).toBe(false);
  });
});

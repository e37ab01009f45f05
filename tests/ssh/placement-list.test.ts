import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { catalogRoots, loadCatalog } from '../../src/catalog/loader.ts';
import { LABEL } from '../../src/core/labels.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';
import { SandboxManager } from '../../src/manager/manager.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { findStale } from '../../src/reaper/stale.ts';
import { tempDir } from '../helpers/env.ts';
import { skipReason, testHost, writeComposeRepo } from './host.ts';

/**
 * Listing for reaping reaches the host a profile's `placement` names, not only SANDBOXER_HOST or the extension
 * config: a leaked stack on a profile-placed host is found as an orphan once its record is gone.
 */
const reason = skipReason();
const suite = reason ? describe.skip : describe;

suite(`compose-ssh listing follows the profile placement${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const tmp = tempDir('sbx-placement-list-');
  afterAll(() => tmp.cleanup());

  it('finds an object on the placement host with no SANDBOXER_HOST set', async () => {
    const h = testHost();
    const root = join(tmp.dir, 'catalog');
    mkdirSync(join(root, 'profiles'), { recursive: true });
    writeFileSync(
      join(root, 'profiles', 'profile.placed.yaml'),
      [
        'id: profile.placed',
        'version: 1.0.0',
        'extension: ext.compose-ssh',
        `placement: { host: 127.0.0.1, port: ${h.port}, user: root, key_ref: 'env:SANDBOXER_SSH_KEY', known_hosts: '${h.knownHosts}' }`,
        'inputs: { repo: { required: true, kind: path } }',
        '',
      ].join('\n'),
    );
    const catalog = loadCatalog([...catalogRoots({}), root], {});
    const { SANDBOXER_HOST: _unset, ...hostEnv } = h.env;
    const env: NodeJS.ProcessEnv = { ...hostEnv, SANDBOXER_BASE_DIR: join(tmp.dir, 'host') };
    const store = new FileStateStore(join(tmp.dir, 'state'));
    const m = new SandboxManager({
      catalog,
      registry: defaultRegistry(),
      store,
      owner: { scope: 'test:placement-list' },
      env,
    });
    const repo = join(tmp.dir, 'repo');
    writeComposeRepo(repo, h.image);
    const r = await m.create({ profileId: 'profile.placed', inputs: { repo } });
    try {
      const manifest = catalog.extensions.get('ext.compose-ssh')!.value;
      const ctx = await m.contextFor(manifest, { profile: catalog.profiles.get('profile.placed')!.value });
      const listed = await defaultRegistry().get(manifest).list!(ctx, { [LABEL.managed]: 'true' });
      expect(listed.map((o) => o.sandbox_id)).toContain(r.id);

      // The record disappears (a lost state store): the reaper's listing finds the stack as an orphan.
      rmSync(join(tmp.dir, 'state', 'sandboxes', `${r.id}.json`));
      const stale = await findStale(m, { minOrphanAge_s: 0 });
      expect(
        stale.items.some((i) => i.kind === 'orphaned' && (i.sandbox_id ?? i.object?.sandbox_id) === r.id),
      ).toBe(true);
    } finally {
      const manifest = catalog.extensions.get('ext.compose-ssh')!.value;
      const ctx = await m.contextFor(manifest, { profile: catalog.profiles.get('profile.placed')!.value });
      await defaultRegistry()
        .get(manifest)
        .teardown({ ...ctx, sandbox: r });
    }
  }, 180_000);
});

import { afterAll, describe, expect, it } from 'vitest';
import {
  createSandbox,
  loadCatalog,
  defaultRegistry,
  FileStateStore,
  SandboxManager,
} from '../../src/index.ts';
import type { Sandbox } from '../../src/index.ts';
import { tempDir } from '../helpers/env.ts';

/** The library's Sandbox handle (#18): destroy(), extendTtl(), snapshot() and `await using`. */
const tmp = tempDir('sbx-handle-');
const env: NodeJS.ProcessEnv = { SANDBOXER_STATE_DIR: tmp.dir };
const catalog = loadCatalog();
const registry = defaultRegistry();
const manifest = catalog.extensions.get('ext.saas-stub')!.value;
const manager = new SandboxManager({
  catalog,
  registry,
  store: new FileStateStore(tmp.dir),
  owner: { scope: 'test:sandbox-handle' },
  env,
});
const objectsOf = async (id: string) =>
  (await registry.get(manifest).list!(await manager.contextFor(manifest), {})).filter(
    (o) => o.sandbox_id === id,
  );

afterAll(() => tmp.cleanup());

describe('Sandbox handle', () => {
  it('`await using` destroys the sandbox when the scope ends', async () => {
    let id = '';
    {
      await using sbx = await createSandbox(manager, { profileId: 'profile.saas-stub', ttl: '30m' });
      id = sbx.id;
      expect(sbx.record.state).toBe('ready');
      expect(await objectsOf(id)).toHaveLength(1);
    }
    expect((await manager.get(id)).state).toBe('destroyed');
    expect(await objectsOf(id)).toEqual([]);
  });

  it('destroys it too when the scope ends with an error', async () => {
    let id = '';
    const run = async () => {
      await using sbx = await createSandbox(manager, { profileId: 'profile.saas-stub' });
      id = sbx.id;
      throw new Error('the test in the sandbox failed');
    };
    await expect(run()).rejects.toThrow('the test in the sandbox failed');
    expect((await manager.get(id)).state).toBe('destroyed');
  });

  it('extends, snapshots and destroys through the manager; a destroy before the scope ends makes the dispose a no-op', async () => {
    let sbx: Sandbox | undefined;
    {
      await using s = await createSandbox(manager, { profileId: 'profile.saas-stub', ttl: '10m' });
      sbx = s;
      const before = Date.parse(s.record.expires_at!);
      const extended = await s.extendTtl('1h');
      expect(Date.parse(extended.record.expires_at!)).toBeGreaterThan(before);
      expect(s.record.expires_at).toBe(extended.record.expires_at);
      const snap = await s.snapshot('before-destroy');
      expect(snap.sandbox_id).toBe(s.id);
      const destroyed = await s.destroy();
      expect(destroyed.state).toBe('destroyed');
    }
    const after = await manager.get(sbx.id);
    expect(after.state).toBe('destroyed');
    expect(after.revision).toBe(sbx.record.revision); // the dispose after destroy() changed nothing
  });
});

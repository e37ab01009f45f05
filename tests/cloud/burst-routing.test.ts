import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/loader.ts';
import { modalExtension } from '../../src/extensions/modal/index.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';
import { SandboxManager } from '../../src/manager/manager.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { FakeE2bServer } from '../fakes/e2b-server.ts';
import { FakeModal } from '../fakes/modal-fake.ts';
import { tempDir } from '../helpers/env.ts';

/** profile.burst-sandbox: E2B, then Modal, then the stub — by which credentials resolve and who has capacity. */
const tmp = tempDir('sbx-burst-');
const server = new FakeE2bServer();
const fake = new FakeModal();
const catalog = loadCatalog();
const registry = defaultRegistry().register('ext.modal', modalExtension({ api: fake.factory }));
const manager = (extra: NodeJS.ProcessEnv) =>
  new SandboxManager({
    catalog,
    registry,
    store: new FileStateStore(tmp.dir),
    owner: { scope: 'test:burst' },
    env: { SANDBOXER_STATE_DIR: tmp.dir, ...extra },
  });

beforeAll(async () => {
  await server.start();
});
afterAll(async () => {
  await server.stop();
  tmp.cleanup();
});

describe('profile.burst-sandbox routing', () => {
  it('uses E2B when its key resolves', async () => {
    const m = manager({ ...server.env(), ...fake.env() });
    const r = await m.create({ profileId: 'profile.burst-sandbox' });
    expect(r.extension_id).toBe('ext.e2b');
    expect(server.sandboxes.has(String(r.handle.backend_id))).toBe(true);
    await m.destroy(r.id);
  });

  it('falls back to Modal when E2B has no capacity, leaving nothing on E2B', async () => {
    const undo = server.inject({ op: 'create', status: 503, message: 'no capacity' });
    try {
      const m = manager({ ...server.env(), ...fake.env() });
      const r = await m.create({ profileId: 'profile.burst-sandbox' });
      expect(r.extension_id).toBe('ext.modal');
      expect(r.route?.candidates.find((c) => c.extension_id === 'ext.e2b')?.outcome).toBe('failed');
      expect(fake.sandboxes.get(String(r.handle.backend_id))?.params).toMatchObject({
        cpu: 1,
        memoryMiB: 512,
      });
      expect(server.sandboxes.size).toBe(0);
      await m.destroy(r.id);
    } finally {
      undo();
    }
  });

  it('skips E2B without its key and uses Modal', async () => {
    const m = manager(fake.env());
    const r = await m.create({ profileId: 'profile.burst-sandbox' });
    expect(r.extension_id).toBe('ext.modal');
    expect(r.route?.candidates.find((c) => c.extension_id === 'ext.e2b')).toMatchObject({
      eligible: false,
      credentials: 'missing',
    });
    await m.destroy(r.id);
  });

  it('falls back to the stub when no cloud credentials resolve', async () => {
    const m = manager({});
    const r = await m.create({ profileId: 'profile.burst-sandbox' });
    expect(r.extension_id).toBe('ext.saas-stub');
    await m.destroy(r.id);
  });
});

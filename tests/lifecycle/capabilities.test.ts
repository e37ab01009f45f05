import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog, type Catalog } from '../../src/catalog/loader.ts';
import type { ExtensionManifest } from '../../src/catalog/schema.ts';
import { SandboxerError } from '../../src/core/errors.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';
import { SandboxManager } from '../../src/manager/manager.ts';
import { MemoryStateStore } from '../../src/state/memory/memory-store.ts';
import { tempDir } from '../helpers/env.ts';

/** A backend that declares no snapshot / extend support: the stub's manifest with those capabilities off. */
function catalogWithout(caps: Partial<ExtensionManifest['capabilities']>): Catalog {
  const catalog = loadCatalog();
  const entry = catalog.extensions.get('ext.saas-stub')!;
  const value = { ...entry.value, capabilities: { ...entry.value.capabilities, ...caps } };
  catalog.extensions.set('ext.saas-stub', { ...entry, value });
  return catalog;
}

const tmp = tempDir('sbx-caps-');
afterAll(() => tmp.cleanup());

const managerWith = (catalog: Catalog) =>
  new SandboxManager({
    catalog,
    registry: defaultRegistry(),
    store: new MemoryStateStore(),
    owner: { scope: 'test:caps' },
    env: { SANDBOXER_STATE_DIR: tmp.dir, SANDBOXER_STUB_DIR: join(tmp.dir, 'stub') },
  });

describe('backends without snapshot or TTL-extension support say so', () => {
  it('snapshot fails with code unsupported and writes no index entry', async () => {
    const m = managerWith(catalogWithout({ snapshot: false, restore: false }));
    const r = await m.create({ profileId: 'profile.saas-stub' });
    const err = await m.snapshot(r.id, 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxerError);
    expect((err as SandboxerError).code).toBe('unsupported');
    expect((err as SandboxerError).message).toBe('ext.saas-stub does not support snapshots');
    expect((err as SandboxerError).hint).toMatch(/capabilities\.snapshot/);
    expect(await m.listSnapshots({ all: true })).toEqual([]);
    await m.destroy(r.id);
  });

  it('extend-ttl records the new expiry and says it was not pushed', async () => {
    const m = managerWith(catalogWithout({ extend_ttl: false }));
    const r = await m.create({ profileId: 'profile.saas-stub', ttl: '30m' });
    const out = await m.extendTtl(r.id, '1h');
    expect(out.pushed).toBe(false);
    expect(out.note).toMatch(/cannot extend a running sandbox's lifetime/);
    expect(Date.parse(out.record.expires_at!) - Date.parse(r.expires_at!)).toBe(3600_000);
    expect(out.record.labels['io.sandboxer.expires-at']).toBe(out.record.expires_at);
    await m.destroy(r.id);
  });

  it('extend-ttl beyond the profile maximum is a usage error', async () => {
    const m = managerWith(loadCatalog());
    const r = await m.create({ profileId: 'profile.saas-stub', ttl: '23h' });
    const err = (await m.extendTtl(r.id, '2h').catch((e: unknown) => e)) as SandboxerError;
    expect([err.code, err.exitCode]).toEqual(['usage', 2]);
    expect((await m.get(r.id)).expires_at).toBe(r.expires_at);
    await m.destroy(r.id);
  });

  it('a destroyed sandbox cannot be extended or snapshotted', async () => {
    const m = managerWith(loadCatalog());
    const r = await m.create({ profileId: 'profile.saas-stub' });
    await m.destroy(r.id);
    await expect(m.extendTtl(r.id, '1h')).rejects.toMatchObject({ code: 'illegal_transition' });
    await expect(m.snapshot(r.id)).rejects.toMatchObject({ code: 'illegal_transition' });
  });
});

import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/loader.ts';
import type { SandboxerError } from '../../src/core/errors.ts';
import { checkCatalogConfig } from '../../src/extensions/config-check.ts';
import { lazyDefaultRegistry } from '../../src/extensions/lazy-registry.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';

/** The CLI's exec/cp/logs/ports/url load one adapter (lazyDefaultRegistry); it must be defaultRegistry's twin. */
describe('lazyDefaultRegistry', () => {
  it('has the same adapters, config schemas and code as defaultRegistry', async () => {
    const eager = defaultRegistry();
    const lazy = lazyDefaultRegistry();
    expect(lazy.ids()).toEqual(eager.ids());
    for (const id of eager.ids()) expect(lazy.configSchema(id)).toBe(eager.configSchema(id));
    const catalog = loadCatalog();
    expect(checkCatalogConfig(catalog, lazy)).toEqual(checkCatalogConfig(catalog, eager));
    // Every packaged extension has its code in both (registry.ts IMPLEMENTATIONS, lazy-registry.ts imports).
    for (const { value: manifest } of catalog.extensions.values()) {
      await lazy.load(manifest.id);
      expect(Object.keys(lazy.get(manifest)).sort(), manifest.id).toEqual(
        Object.keys(eager.get(manifest)).sort(),
      );
    }
  });

  it('imports an adapter on load; get before that is an internal error, after it the adapter (capabilities checked)', async () => {
    const lazy = lazyDefaultRegistry();
    const manifest = loadCatalog().extensions.get('ext.compose-ssh')!.value;
    let err: unknown;
    try {
      lazy.get(manifest);
    } catch (e) {
      err = e;
    }
    expect((err as SandboxerError).code).toBe('internal');
    await lazy.load('ext.compose-ssh');
    await lazy.load('ext.compose-ssh');
    const ext = lazy.get(manifest);
    expect(typeof ext.exec).toBe('function');
    expect(Object.keys(ext).sort()).toEqual(Object.keys(defaultRegistry().get(manifest)).sort());
    // An id no adapter is registered for stays the usual not-found error.
    await lazy.load('ext.nope');
    expect(() => lazy.get({ ...manifest, id: 'ext.nope' })).toThrow(/no implementation registered/);
  });
});

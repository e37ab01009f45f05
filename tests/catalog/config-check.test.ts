import { describe, expect, it } from 'vitest';
import { loadCatalog, type Catalog } from '../../src/catalog/loader.ts';
import { CatalogError } from '../../src/catalog/yaml-errors.ts';
import { checkCatalogConfig } from '../../src/extensions/config-check.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';
import { createManager } from '../../src/manager/factory.ts';

/** Typed extension config: checked against each adapter's schema when the catalog is loaded. */
function withConfig(kind: 'extensions' | 'profiles', id: string, config: Record<string, unknown>): Catalog {
  const catalog = loadCatalog();
  const map = catalog[kind] as Map<string, { value: { config: Record<string, unknown> }; file: string }>;
  const entry = map.get(id)!;
  map.set(id, { ...entry, value: { ...entry.value, config: { ...entry.value.config, ...config } } });
  return catalog;
}

describe('extension config is typed and checked at catalog load', () => {
  it('the shipped catalog passes (a route profile may carry a key only some candidates read)', () => {
    expect(checkCatalogConfig(loadCatalog(), defaultRegistry())).toEqual([]);
  });

  it('a misspelt key in a manifest fails naming the file and the field', () => {
    const issues = checkCatalogConfig(
      withConfig('extensions', 'ext.compose-ssh', { stop_timout_s: 5 }),
      defaultRegistry(),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]!.file).toMatch(/ext\.compose-ssh\.yaml$/);
    expect(issues[0]!.field).toBe('config.stop_timout_s');
  });

  it('a wrong type in a profile fails naming the field', () => {
    const issues = checkCatalogConfig(
      withConfig('profiles', 'profile.compose-e2e', { host_ports: 'random' }),
      defaultRegistry(),
    );
    expect(issues.map((i) => i.field)).toEqual(['config.host_ports']);
    expect(issues[0]!.file).toMatch(/profile\.compose-e2e\.yaml$/);
  });

  it('a key no candidate of the profile reads is refused', () => {
    const issues = checkCatalogConfig(
      withConfig('profiles', 'profile.e2b-burst', { image: 'x' }),
      defaultRegistry(),
    );
    expect(issues.map((i) => i.field)).toEqual(['config.image']);
    expect(issues[0]!.message).toMatch(/unknown key for ext\.e2b/);
  });

  it('createManager refuses such a catalog, and a lenient load (teardown paths) only warns', () => {
    const catalog = withConfig('extensions', 'ext.e2b', { max_timeout_s: 'an hour' });
    expect(() => createManager({ catalog, env: {} })).toThrow(CatalogError);
    const warned: string[] = [];
    const log = {
      debug() {},
      info() {},
      warn: (m: string) => void warned.push(m),
      error() {},
      group: <T>(_: string, f: () => Promise<T>) => f(),
    };
    createManager({ catalog, env: {}, lenientCatalog: true, log: log as never });
    expect(warned.join('\n')).toMatch(/ext\.e2b\.yaml: config\.max_timeout_s/);
  });
});

import type * as z from 'zod';
import type { Catalog } from '../catalog/loader.ts';
import { profileCandidates } from '../catalog/schema.ts';
import type { CatalogIssue } from '../catalog/yaml-errors.ts';
import type { ExtensionRegistry } from './registry.ts';

/**
 * Every config in the catalog checked against the config schema of the adapter(s) that will read it: a manifest's
 * `config:` against its adapter; a profile's `config:` overlaid on each candidate's manifest config. A key no
 * candidate knows is an error (a typo would otherwise be read as undefined); a route profile's key needs only one
 * candidate that knows it (the others ignore it). Extensions registered without a schema are not checked.
 */
export function checkCatalogConfig(catalog: Catalog, registry: ExtensionRegistry): CatalogIssue[] {
  const issues: CatalogIssue[] = [];
  const schemaOf = (id: string) => registry.configSchema(id);
  const add = (file: string, err: z.ZodError, only?: Set<string>) => {
    for (const i of err.issues) {
      const keys = i.code === 'unrecognized_keys' ? i.keys.filter((k) => !only || only.has(k)) : undefined;
      if (keys && keys.length === 0) continue;
      const field = ['config', ...i.path.map(String), ...(keys ? [keys.join(', ')] : [])].join('.');
      issues.push({ file, field, message: keys ? 'unknown key (a typo?)' : i.message });
    }
  };
  for (const { value: m, file } of catalog.extensions.values()) {
    const schema = schemaOf(m.id);
    if (!schema) continue;
    const r = schema.safeParse(m.config);
    if (!r.success) add(file, r.error);
  }
  for (const { value: p, file } of catalog.profiles.values()) {
    const candidates = profileCandidates(p)
      .map((id) => ({ manifest: catalog.extensions.get(id)?.value, schema: schemaOf(id) }))
      .filter((c) => c.manifest && c.schema);
    if (candidates.length === 0 || Object.keys(p.config).length === 0) continue;
    const known = (k: string) => candidates.some((c) => k in c.schema!.shape);
    const unknown = Object.keys(p.config).filter((k) => !known(k));
    if (unknown.length)
      issues.push({
        file,
        field: `config.${unknown.join(', ')}`,
        message: `unknown key for ${candidates.map((c) => c.manifest!.id).join(', ')} (a typo?)`,
      });
    for (const c of candidates) {
      const mine = Object.fromEntries(Object.entries(p.config).filter(([k]) => k in c.schema!.shape));
      const r = c.schema!.safeParse({ ...c.manifest!.config, ...mine });
      if (!r.success) add(file, r.error, new Set(Object.keys(mine)));
    }
  }
  return issues;
}

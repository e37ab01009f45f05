import { getExtensionManifest, type Catalog } from '../catalog/loader.ts';
import { profileCandidates, type Profile } from '../catalog/schema.ts';
import type { Logger } from '../core/logger.ts';
import { budgetFromEnv } from '../payments/ledger.ts';
import type { ExtensionRegistry } from '../extensions/registry.ts';

/**
 * Every candidate extension's local checks of a create request (the compose policy, paths), run before the
 * sandbox has a record or a ledger entry: a refused request leaves nothing behind.
 */
export function precheckCreate(
  deps: { catalog: Catalog; registry: ExtensionRegistry; log: Logger; env: NodeJS.ProcessEnv },
  profile: Profile,
  inputs: Record<string, string>,
): void {
  budgetFromEnv(deps.env); // a bad SANDBOXER_BUDGET_USD is refused before any record or ledger entry
  for (const extId of profileCandidates(profile)) {
    // A candidate without an implementation here is routing's to skip, not a refusal.
    if (!deps.registry.has(extId) || !deps.catalog.extensions.has(extId)) continue;
    const manifest = getExtensionManifest(deps.catalog, extId);
    const ext = deps.registry.get(manifest);
    ext.precheck?.({
      manifest,
      profile,
      config: { ...manifest.config, ...profile.config },
      inputs,
      log: deps.log,
      env: deps.env,
    });
  }
}

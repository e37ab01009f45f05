import { catalogRoots, loadCatalog, type Catalog } from '../catalog/loader.ts';
import { CatalogError, formatIssue } from '../catalog/yaml-errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import { createCredentialResolver } from '../credentials/index.ts';
import type { CredentialResolver } from '../credentials/resolver.ts';
import type { LifecycleHooks } from '../events/hooks.ts';
import { checkCatalogConfig } from '../extensions/config-check.ts';
import type { ExtensionRegistry } from '../extensions/extension-registry.ts';
import { openStateStore } from '../state/open.ts';
import type { StateStore } from '../state/store.ts';

export interface ManagerOptions {
  env?: NodeJS.ProcessEnv;
  log?: Logger;
  store?: StateStore;
  catalog?: Catalog;
  credentials?: CredentialResolver;
  hooks?: LifecycleHooks[];
  /** Load the catalog leniently (list, destroy, reaping): broken files become warnings, not a failure. */
  lenientCatalog?: boolean;
}

/**
 * The catalog a manager (factory.ts) or a sandbox-access source (access-source.ts) works from: loaded from the
 * environment's roots, every config checked against `registry`'s adapter schemas. Broken files and config issues
 * fail, or with `lenientCatalog` are logged as warnings.
 */
export function checkedCatalog(opts: ManagerOptions, registry: ExtensionRegistry): Catalog {
  const env = opts.env ?? process.env;
  const lenient = opts.lenientCatalog ?? false;
  const catalog = opts.catalog ?? loadCatalog(catalogRoots(env), env, { lenient });
  for (const issue of catalog.warnings ?? []) {
    opts.log?.warn(`catalog: ${formatIssue(issue)} (skipped; fix it before create or validate)`);
  }
  const configIssues = checkCatalogConfig(catalog, registry);
  if (configIssues.length && !lenient) throw new CatalogError(configIssues);
  for (const issue of configIssues) opts.log?.warn(`catalog: ${formatIssue(issue)}`);
  return catalog;
}

/**
 * What a manager (factory.ts) and a sandbox-access source (access-source.ts) are both built from: the
 * environment, the log, the checked catalog (first, so a broken catalog fails before any store is opened), the
 * credential resolver and the state store.
 */
export function baseWiring(opts: ManagerOptions, registry: ExtensionRegistry) {
  const env = opts.env ?? process.env;
  const log = opts.log ?? silentLogger;
  const catalog = checkedCatalog({ ...opts, log }, registry);
  const credentials = opts.credentials ?? createCredentialResolver(env);
  const store = opts.store ?? openStateStore(env, log);
  return { env, log, catalog, credentials, store };
}

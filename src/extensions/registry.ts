import type { ExtensionManifest } from '../catalog/schema.ts';
import type { Extension } from './contract.ts';
import { defineExtension } from './define.ts';
import { ExtensionRegistry } from './extension-registry.ts';
import { BUILTIN_ADAPTERS } from './lazy-registry.ts';
import { saasStub } from './saas-stub/index.ts';
import { composeSsh } from './compose-ssh/index.ts';
import { vmPacker } from './vm-packer/index.ts';
import { e2b } from './e2b/index.ts';
import { modal } from './modal/index.ts';

export { checkCapabilities, ExtensionRegistry } from './extension-registry.ts';

/** The built-in adapters' code, loaded with this module (lazy-registry.ts has their config schemas). */
const IMPLEMENTATIONS: Record<string, (manifest: ExtensionManifest) => Extension> = {
  'ext.saas-stub': saasStub,
  'ext.e2b': e2b,
  'ext.modal': modal,
  'ext.compose-ssh': composeSsh,
  'ext.vm-packer': vmPacker,
};

export function defaultRegistry(): ExtensionRegistry {
  const registry = new ExtensionRegistry();
  for (const [id, { config }] of Object.entries(BUILTIN_ADAPTERS))
    registry.register(id, defineExtension({ config, create: IMPLEMENTATIONS[id]! }));
  return registry;
}

import {
  composeSshConfig,
  e2bConfig,
  modalConfig,
  saasStubConfig,
  vmPackerConfig,
} from './config-schemas.ts';
import { ExtensionRegistry, type LazyAdapter } from './extension-registry.ts';

/**
 * The built-in adapters of defaultRegistry (registry.ts), each imported only when a caller loads it: the CLI's
 * exec, cp, logs, ports and url use one sandbox, so they load one adapter instead of all five and their SDKs'
 * wrappers (#13). tests/extensions/lazy-registry.test.ts keeps the two lists the same.
 */
export const BUILTIN_ADAPTERS: Record<string, LazyAdapter> = {
  'ext.saas-stub': {
    config: saasStubConfig,
    create: async () => (await import('./saas-stub/index.ts')).saasStub,
  },
  'ext.e2b': { config: e2bConfig, create: async () => (await import('./e2b/index.ts')).e2b },
  'ext.modal': { config: modalConfig, create: async () => (await import('./modal/index.ts')).modal },
  'ext.compose-ssh': {
    config: composeSshConfig,
    create: async () => (await import('./compose-ssh/index.ts')).composeSsh,
  },
  'ext.vm-packer': {
    config: vmPackerConfig,
    create: async () => (await import('./vm-packer/index.ts')).vmPacker,
  },
};

/** defaultRegistry's adapters, registered lazily (ExtensionRegistry.load imports one). */
export function lazyDefaultRegistry(): ExtensionRegistry {
  const registry = new ExtensionRegistry();
  for (const [id, adapter] of Object.entries(BUILTIN_ADAPTERS)) registry.registerLazy(id, adapter);
  return registry;
}

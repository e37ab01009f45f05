import { SandboxerError } from '../core/errors.ts';
import type { ExtensionManifest } from '../catalog/schema.ts';
import type * as z from 'zod';
import type { Extension, ExtensionFactory } from './contract.ts';
import { defineExtension, type DefinedFactory } from './define.ts';
import {
  composeSshConfig,
  e2bConfig,
  modalConfig,
  saasStubConfig,
  vmPackerConfig,
} from './config-schemas.ts';
import { saasStub } from './saas-stub/index.ts';
import { composeSsh } from './compose-ssh/index.ts';
import { vmPacker } from './vm-packer/index.ts';
import { e2b } from './e2b/index.ts';
import { modal } from './modal/index.ts';

/** Maps ext.* ids to implementations. Adapters register here; tests may register fakes on their own instance. */
export class ExtensionRegistry {
  private readonly factories = new Map<string, ExtensionFactory>();
  private readonly instances = new Map<string, Extension>();

  /** The config schema of an adapter defined with defineExtension (undefined for a plain factory). */
  configSchema(id: string): z.ZodObject | undefined {
    return (this.factories.get(id) as Partial<DefinedFactory> | undefined)?.config;
  }

  register(id: string, factory: ExtensionFactory): this {
    this.factories.set(id, factory);
    this.instances.delete(id);
    return this;
  }

  has(id: string): boolean {
    return this.factories.has(id);
  }

  ids(): string[] {
    return [...this.factories.keys()].sort();
  }

  get(manifest: ExtensionManifest): Extension {
    const cached = this.instances.get(manifest.id);
    if (cached) return cached;
    const factory = this.factories.get(manifest.id);
    if (!factory) {
      throw new SandboxerError('not_found', `no implementation registered for extension '${manifest.id}'`, {
        hint: `implemented: ${this.ids().join(', ')}`,
      });
    }
    const ext = factory(manifest);
    checkCapabilities(manifest, ext);
    this.instances.set(manifest.id, ext);
    return ext;
  }
}

export function defaultRegistry(): ExtensionRegistry {
  return new ExtensionRegistry()
    .register('ext.saas-stub', defineExtension({ config: saasStubConfig, create: saasStub }))
    .register('ext.e2b', defineExtension({ config: e2bConfig, create: e2b }))
    .register('ext.modal', defineExtension({ config: modalConfig, create: modal }))
    .register('ext.compose-ssh', defineExtension({ config: composeSshConfig, create: composeSsh }))
    .register('ext.vm-packer', defineExtension({ config: vmPackerConfig, create: vmPacker }));
}

/** Which adapter methods a declared capability needs. */
const CAPABILITY_METHODS: Record<keyof ExtensionManifest['capabilities'], (keyof Extension)[]> = {
  snapshot: ['snapshot', 'deleteSnapshot'],
  restore: ['restore'],
  extend_ttl: ['extendTtl'],
  list: ['list', 'teardownObject'],
  host_expiry: [],
  endpoints: ['endpoints'],
  exec: ['exec'],
  logs: ['logs'],
  files: ['putFiles', 'getFiles'],
};

/**
 * A manifest may declare less than its adapter does (an operator turning a capability off), never more: a
 * declared capability whose method is missing would fail at use, so it fails when the adapter is loaded.
 */
export function checkCapabilities(manifest: ExtensionManifest, ext: Extension): void {
  const missing = Object.entries(manifest.capabilities)
    .filter(
      ([cap, on]) => on && CAPABILITY_METHODS[cap as keyof typeof CAPABILITY_METHODS].some((m) => !ext[m]),
    )
    .map(([cap]) => cap);
  if (missing.length) {
    throw new SandboxerError(
      'validation',
      `${manifest.id} declares capabilities its adapter does not implement: ${missing.join(', ')}`,
      {
        hint: `set capabilities.${missing[0]}: false in ${manifest.id}.yaml, or implement it in the adapter`,
      },
    );
  }
}

import type * as z from 'zod';
import type { ExtensionManifest } from '../catalog/schema.ts';
import { SandboxerError } from '../core/errors.ts';
import type { Extension, ExtensionFactory } from './contract.ts';
import { defineExtension, type DefinedFactory } from './define.ts';

/** An adapter's config schema, and its code imported on demand. */
export interface LazyAdapter {
  config: z.ZodObject;
  create(): Promise<(manifest: ExtensionManifest) => Extension>;
}

/** Maps ext.* ids to implementations. Adapters register here; tests may register fakes on their own instance. */
export class ExtensionRegistry {
  private readonly factories = new Map<string, ExtensionFactory>();
  private readonly instances = new Map<string, Extension>();
  /** Adapters whose code is imported on first use (load): their config schema is known without it. */
  private readonly lazy = new Map<string, LazyAdapter>();

  /** The config schema of an adapter defined with defineExtension (undefined for a plain factory). */
  configSchema(id: string): z.ZodObject | undefined {
    return (
      (this.factories.get(id) as Partial<DefinedFactory> | undefined)?.config ?? this.lazy.get(id)?.config
    );
  }

  register(id: string, factory: ExtensionFactory): this {
    this.factories.set(id, factory);
    this.lazy.delete(id);
    this.instances.delete(id);
    return this;
  }

  /**
   * An adapter whose module is imported by `load(id)` (a CLI call that uses one sandbox loads one adapter):
   * its config schema is checked with the catalog as for any other; `get` needs it loaded first.
   */
  registerLazy(id: string, adapter: LazyAdapter): this {
    this.factories.delete(id);
    this.instances.delete(id);
    this.lazy.set(id, adapter);
    return this;
  }

  /** Import a lazily registered adapter (a no-op for one registered with its code). */
  async load(id: string): Promise<void> {
    const adapter = this.lazy.get(id);
    if (!adapter) return;
    const create = await adapter.create();
    // Another load of the same id may have finished first: register once.
    if (this.lazy.get(id) === adapter) this.register(id, defineExtension({ config: adapter.config, create }));
  }

  has(id: string): boolean {
    return this.factories.has(id) || this.lazy.has(id);
  }

  ids(): string[] {
    return [...new Set([...this.factories.keys(), ...this.lazy.keys()])].sort();
  }

  get(manifest: ExtensionManifest): Extension {
    const cached = this.instances.get(manifest.id);
    if (cached) return cached;
    const factory = this.factories.get(manifest.id);
    if (!factory && this.lazy.has(manifest.id))
      throw new SandboxerError(
        'internal',
        `extension '${manifest.id}' is not loaded yet (registry.load first)`,
      );
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

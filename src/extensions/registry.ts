import { SandboxerError } from '../core/errors.ts';
import type { ExtensionManifest } from '../catalog/schema.ts';
import type { Extension, ExtensionFactory } from './contract.ts';
import { saasStub } from './saas-stub/index.ts';
import { composeSsh } from './compose-ssh/index.ts';
import { vmPacker } from './vm-packer/index.ts';
import { e2b } from './e2b/index.ts';
import { modal } from './modal/index.ts';

/** Maps ext.* ids to implementations. Adapters register here; tests may register fakes on their own instance. */
export class ExtensionRegistry {
  private readonly factories = new Map<string, ExtensionFactory>();
  private readonly instances = new Map<string, Extension>();

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
    this.instances.set(manifest.id, ext);
    return ext;
  }
}

export function defaultRegistry(): ExtensionRegistry {
  return new ExtensionRegistry()
    .register('ext.saas-stub', saasStub)
    .register('ext.e2b', e2b)
    .register('ext.modal', modal)
    .register('ext.compose-ssh', composeSsh)
    .register('ext.vm-packer', vmPacker);
}

import { defineExtension } from './define.ts';
import { ExtensionRegistry } from './extension-registry.ts';
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

export { checkCapabilities, ExtensionRegistry } from './extension-registry.ts';

export function defaultRegistry(): ExtensionRegistry {
  return new ExtensionRegistry()
    .register('ext.saas-stub', defineExtension({ config: saasStubConfig, create: saasStub }))
    .register('ext.e2b', defineExtension({ config: e2bConfig, create: e2b }))
    .register('ext.modal', defineExtension({ config: modalConfig, create: modal }))
    .register('ext.compose-ssh', defineExtension({ config: composeSshConfig, create: composeSsh }))
    .register('ext.vm-packer', defineExtension({ config: vmPackerConfig, create: vmPacker }));
}
